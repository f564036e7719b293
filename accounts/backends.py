from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """ModelBackend whose `username` is the e-mail address (matched case-insensitively by the manager)."""
