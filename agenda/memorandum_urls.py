from django.urls import path

from . import memorandum_views as views

app_name = "memoranda"

# Mounted under /r/<slug:region>/ (config/urls.py): every view receives the `region` slug.
urlpatterns = [
    path("memoranda/", views.memorandum_list, name="memorandum-list"),
    path("memoranda/new/", views.memorandum_create, name="memorandum-create"),
    path("memoranda/<int:pk>/", views.memorandum_detail, name="memorandum-detail"),
    path("memoranda/<int:pk>/edit/", views.memorandum_update, name="memorandum-update"),
    path("memoranda/<int:pk>/parties/", views.memorandum_parties, name="memorandum-parties"),
    path("memoranda/<int:pk>/open/", views.memorandum_open, name="memorandum-open"),
    path("memoranda/<int:pk>/preview.pdf", views.memorandum_preview, name="memorandum-preview"),
    path("memoranda/<int:pk>/revisions/<int:number>/", views.revision_detail, name="revision-detail"),
    path(
        "memoranda/<int:pk>/revisions/<int:number>/pdf/status/",
        views.revision_pdf_status,
        name="revision-pdf-status",
    ),
    path(
        "memoranda/<int:pk>/revisions/<int:number>/pdf/download/",
        views.revision_pdf_download,
        name="revision-pdf-download",
    ),
    path(
        "memoranda/<int:pk>/revisions/<int:number>/pdf/retry/",
        views.revision_pdf_retry,
        name="revision-pdf-retry",
    ),
    path("memoranda/<int:pk>/sign/<int:signature_pk>/", views.signature_sign, name="signature-sign"),
    path(
        "memoranda/<int:pk>/sign/<int:signature_pk>/decline/",
        views.signature_decline,
        name="signature-decline",
    ),
    path(
        "memoranda/<int:pk>/sign/<int:signature_pk>/wet-ink/",
        views.signature_wet_ink,
        name="signature-wet-ink",
    ),
    path(
        "memoranda/<int:pk>/sign/<int:signature_pk>/send-link/",
        views.signature_send_link,
        name="signature-send-link",
    ),
    path(
        "memoranda/<int:pk>/sign/<int:signature_pk>/link/<str:token>/",
        views.signature_sign_link,
        name="signature-sign-link",
    ),
    path("memoranda/<int:pk>/signed/", views.signature_link_done, name="signature-link-done"),
]
