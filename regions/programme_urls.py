from django.urls import path  # noqa: F401

app_name = "programmes"

# Mounted under /p/<slug:programme>/ (every view receives the programme code) in config/urls.py.
urlpatterns: list = []
