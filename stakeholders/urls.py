from django.urls import path

from . import views

app_name = "stakeholders"

# Mounted under /r/<slug:region>/ (config/urls.py): every view receives the `region` slug. The bare
# "agenda/<int:year>/" belongs to the regions app; the role matrix lives below it.
urlpatterns = [
    # The directory of organisations and people.
    path("stakeholders/", views.OrganisationListView.as_view(), name="organisation-list"),
    path("stakeholders/new/", views.OrganisationCreateView.as_view(), name="organisation-create"),
    path("stakeholders/<int:pk>/", views.OrganisationDetailView.as_view(), name="organisation-detail"),
    path("stakeholders/<int:pk>/edit/", views.OrganisationUpdateView.as_view(), name="organisation-update"),
    path("stakeholders/<int:pk>/people/new/", views.PersonCreateView.as_view(), name="person-create"),
    path("stakeholders/people/<int:pk>/edit/", views.PersonUpdateView.as_view(), name="person-update"),
    path("stakeholders/import/", views.directory_import, name="directory-import"),
    path("stakeholders/import/confirm/", views.directory_import_commit, name="directory-import-commit"),
    path("stakeholders/import/errors/", views.directory_import_errors, name="directory-import-errors"),
    path("stakeholders/import/template/", views.directory_import_template, name="directory-import-template"),
    path("stakeholders/export/", views.directory_export, name="directory-export"),
    # The role matrix of an agenda (criterion 1).
    path("roles/", views.role_entry_latest, name="role-entry-latest"),
    path("agenda/<int:year>/roles/", views.role_entry_list, name="role-entry-list"),
    path("agenda/<int:year>/roles/export/", views.role_entry_export, name="role-entry-export"),
    path("agenda/<int:year>/roles/add/", views.role_entry_create, name="role-entry-create"),
    path("agenda/<int:year>/roles/leaders/", views.role_entry_leaders, name="role-entry-leaders"),
    path("agenda/<int:year>/roles/remind/", views.role_entry_remind, name="role-entry-remind"),
    path("agenda/<int:year>/roles/<int:pk>/", views.role_entry_detail, name="role-entry-detail"),
    path("agenda/<int:year>/roles/<int:pk>/edit/", views.role_entry_update, name="role-entry-update"),
    path("agenda/<int:year>/roles/<int:pk>/confirm/", views.role_entry_confirm, name="role-entry-confirm"),
    path("agenda/<int:year>/roles/<int:pk>/history/", views.role_entry_history, name="role-entry-history"),
    path("agenda/<int:year>/roles/<int:pk>/delete/", views.role_entry_delete, name="role-entry-delete"),
]
