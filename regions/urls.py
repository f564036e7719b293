from django.urls import path

from . import views

app_name = "regions"

urlpatterns = [
    path("<slug:region>/", views.RegionDetailView.as_view(), name="region-detail"),
    path("<slug:region>/agenda/<int:year>/", views.AgendaDetailView.as_view(), name="agenda-detail"),
]
