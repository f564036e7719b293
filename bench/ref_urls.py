"""Bench-only URLs, mounted under /bench/ref/ by config/urls.py when BENCH_REFERENCE=1."""

from django.urls import path

from .reference import reference

urlpatterns = [path("<int:n>/", reference, name="bench-reference")]
