import os

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from core.views import healthz
from regions import views as region_views

# Region-scoped sections: every view below receives the region slug and looks the region up through
# what the user may see (another region's objects are 404).
region_patterns = [
    path("", include("stakeholders.urls")),
    path("", include("sessions.urls")),
    path("", include("agenda.urls")),
    path("", include("agenda.memorandum_urls")),
    path("", include("projects.urls")),
    path("", include("projects.team_urls")),
]

programme_patterns = [
    path("", include("regions.programme_urls")),
    path("", include("sessions.programme_urls")),
]

urlpatterns = [
    path("", region_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("r/", include("regions.urls")),
    path("r/<slug:region>/", include(region_patterns)),
    path("p/<slug:programme>/", include(programme_patterns)),
    path("verify/", include("agenda.verify_urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Benchmarks only (bench/run.sh sets BENCH_REFERENCE=1): a bare reference view to compare pages against.
if os.environ.get("BENCH_REFERENCE") == "1":
    urlpatterns += [path("bench/ref/", include("bench.ref_urls"))]
