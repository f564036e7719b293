from django.urls import path

from . import views

app_name = "projects"

# Mounted under /r/<slug:region>/ (config/urls.py): every view receives the `region` slug.
urlpatterns = [
    path("agenda/<int:year>/portfolio/", views.ProjectListView.as_view(), name="project-list"),
    path("agenda/<int:year>/portfolio/add/", views.ProjectCreateView.as_view(), name="project-create"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="project-update"),
    path("projects/<int:pk>/delete/", views.project_delete, name="project-delete"),
    path("projects/<int:pk>/funding/add/", views.FundingCreateView.as_view(), name="funding-create"),
    path(
        "projects/<int:pk>/funding/<int:line>/edit/", views.FundingUpdateView.as_view(), name="funding-update"
    ),
    path("projects/<int:pk>/funding/<int:line>/delete/", views.funding_delete, name="funding-delete"),
    path("projects/<int:pk>/acts/add/", views.ActCreateView.as_view(), name="act-create"),
    path("projects/<int:pk>/acts/<int:act>/edit/", views.ActUpdateView.as_view(), name="act-update"),
    path("projects/<int:pk>/acts/<int:act>/delete/", views.act_delete, name="act-delete"),
]
