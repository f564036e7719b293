from django.urls import path

from . import memorandum_views as views

app_name = "verify"

# Mounted under /verify/ (public, no login) in config/urls.py.
urlpatterns = [
    path("", views.verify_index, name="verify-index"),
    path("<str:code>/", views.verify_code, name="verify-code"),
]
