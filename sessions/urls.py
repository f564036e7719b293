"""Region-scoped session pages, mounted under /r/<slug:region>/ (config/urls.py)."""

from django.urls import path

from . import views

app_name = "sessions"


def session_routes() -> list:
    """The pages of one session; the programme's joint session 1 uses the same routes under
    /p/<programme>/ (programme_urls.py). Route names are `<model>-<action>`."""
    return [
        path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
        path("sessions/<int:pk>/edit/", views.session_edit, name="session-edit"),
        path("sessions/<int:pk>/session.ics", views.session_ics_view, name="session-ics"),
        path("sessions/<int:pk>/minutes/", views.session_minutes, name="session-minutes"),
        path("sessions/<int:pk>/materials/", views.session_materials, name="session-materials"),
        path("sessions/<int:pk>/confirm/", views.session_confirm, name="session-confirm"),
        path("sessions/<int:pk>/held/", views.session_hold, name="session-hold"),
        path("sessions/<int:pk>/postpone/", views.session_postpone, name="session-postpone"),
        path("sessions/<int:pk>/cancel/", views.session_cancel, name="session-cancel"),
        path("sessions/<int:pk>/reopen/", views.session_reopen, name="session-reopen"),
        path("sessions/<int:pk>/items/new/", views.agendaitem_form, name="agendaitem-create"),
        path("sessions/<int:pk>/items/<int:item>/edit/", views.agendaitem_form, name="agendaitem-edit"),
        path("sessions/<int:pk>/items/<int:item>/delete/", views.agendaitem_delete, name="agendaitem-delete"),
        path("sessions/<int:pk>/invite/", views.attendance_invite, name="attendance-invite"),
        path("sessions/<int:pk>/attendance/", views.attendance_mark, name="attendance-mark"),
        path("sessions/<int:pk>/reply/", views.attendance_reply, name="attendance-reply"),
        path(
            "sessions/<int:pk>/attendance/<int:attendance>/remove/",
            views.attendance_remove,
            name="attendance-remove",
        ),
        path("sessions/<int:pk>/decisions/new/", views.decision_form, name="decision-create"),
        path("sessions/<int:pk>/decisions/<int:decision>/edit/", views.decision_form, name="decision-edit"),
        path(
            "sessions/<int:pk>/decisions/<int:decision>/delete/",
            views.decision_delete,
            name="decision-delete",
        ),
    ]


def material_routes() -> list:
    return [
        path("materials/", views.material_list, name="material-list"),
        path("materials/new/", views.material_form, name="material-create"),
        path("materials/<int:pk>/edit/", views.material_form, name="material-edit"),
        path("materials/<int:pk>/delete/", views.material_delete, name="material-delete"),
        path("materials/<int:pk>/file/", views.material_file, name="material-file"),
    ]


urlpatterns = [
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/timeline/", views.session_timeline, name="session-timeline"),
    *session_routes(),
    # Session 1 belongs to the programme; each region records its acceptance of the common document.
    path("sessions/<int:pk>/acceptance/", views.acceptance_record, name="acceptance-record"),
    path("calendar/", views.calendarfeed_detail, name="calendarfeed-detail"),
    path("calendar/rotate/", views.calendarfeed_rotate, name="calendarfeed-rotate"),
    path("calendar/<str:token>.ics", views.calendarfeed_ics, name="calendarfeed-ics"),
    path("events/", views.externalevent_list, name="externalevent-list"),
    path("events/new/", views.externalevent_form, name="externalevent-create"),
    path("events/import/", views.externalevent_import, name="externalevent-import"),
    path("events/<int:pk>/edit/", views.externalevent_form, name="externalevent-edit"),
    path("events/<int:pk>/delete/", views.externalevent_delete, name="externalevent-delete"),
    *material_routes(),
]
