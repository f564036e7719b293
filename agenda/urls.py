from django.urls import path  # noqa: F401

app_name = "agenda"

# Mounted under /r/<slug:region>/ (config/urls.py): every view receives the `region` slug.
urlpatterns: list = []
