from django.urls import path  # noqa: F401

app_name = "verify"

# Mounted under /verify/ (public, no login) in config/urls.py.
urlpatterns: list = []
