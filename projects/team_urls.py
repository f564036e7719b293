from django.urls import path

from . import team_views as views

app_name = "teams"

# Mounted under /r/<slug:region>/ (config/urls.py): every view receives the `region` slug.
urlpatterns = [
    path("teams/", views.team_index, name="team-index"),
    path("agenda/<int:year>/teams/", views.TeamListView.as_view(), name="team-list"),
    path("agenda/<int:year>/teams/add/", views.TeamCreateView.as_view(), name="team-create"),
    path("teams/<int:pk>/", views.TeamDetailView.as_view(), name="team-detail"),
    path("teams/<int:pk>/edit/", views.TeamUpdateView.as_view(), name="team-update"),
    path("teams/<int:pk>/members/add/", views.membership_create, name="membership-create"),
    path(
        "teams/<int:pk>/members/<int:membership_pk>/role/",
        views.membership_update_view,
        name="membership-update",
    ),
    path("teams/<int:pk>/members/<int:membership_pk>/end/", views.membership_end_view, name="membership-end"),
    path("agenda/<int:year>/plans/", views.PlanListView.as_view(), name="plan-list"),
    path("projects/<int:pk>/plan/", views.PlanDetailView.as_view(), name="plan-detail"),
    path("projects/<int:pk>/plan/steps/add/", views.StepCreateView.as_view(), name="step-create"),
    path("projects/<int:pk>/gantt/", views.GanttView.as_view(), name="project-gantt"),
    path("projects/<int:pk>/team/", views.project_team_view, name="project-team"),
    path("steps/<int:pk>/edit/", views.StepUpdateView.as_view(), name="step-update"),
    path("steps/<int:pk>/progress/", views.StepProgressView.as_view(), name="step-progress"),
    path("steps/<int:pk>/delete/", views.step_delete_view, name="step-delete"),
]
