"""Programme-scoped session pages, mounted under /p/<slug:programme>/ (config/urls.py): the timeline of
all the programme's regions side by side, the joint session 1, and the programme's materials."""

from django.urls import path

from . import views
from .urls import material_routes, session_routes

app_name = "programme_sessions"

urlpatterns = [
    path("timeline/", views.programme_timeline, name="session-timeline"),
    path("sessions/new/", views.joint_session_create, name="session-create"),
    *session_routes(),
    *material_routes(),
]
