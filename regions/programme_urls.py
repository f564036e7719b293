from django.urls import path

from . import views

app_name = "programmes"

# Mounted under /p/<slug:programme>/ (every view receives the programme code) in config/urls.py.
urlpatterns = [
    path("", views.programme_dashboard_view, name="programme-dashboard"),
]
