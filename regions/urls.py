from django.urls import path

from . import views

app_name = "regions"

urlpatterns = [
    path("<slug:region>/", views.RegionDetailView.as_view(), name="region-detail"),
    path("<slug:region>/agenda/<int:year>/", views.AgendaDetailView.as_view(), name="agenda-detail"),
]

# Dashboards and the agenda report (criterion engine read-outs).
urlpatterns += [
    path("<slug:region>/dashboard/", views.RegionDashboardView.as_view(), name="region-dashboard"),
    path("<slug:region>/agenda/<int:year>/report/", views.AgendaReportView.as_view(), name="agenda-report"),
    path("<slug:region>/agenda/<int:year>/report.pdf", views.agenda_report_pdf, name="agenda-report-pdf"),
]

# Opening and editing an agenda: the five-session cycle (sessions.services creates the sessions).
urlpatterns += [
    path("<slug:region>/agenda/new/", views.agenda_create, name="agenda-create"),
    path("<slug:region>/agenda/<int:year>/edit/", views.agenda_edit, name="agenda-edit"),
]
