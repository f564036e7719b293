"""`manage.py seed_demo` — load the illustrative demo data of DOMAIN.md §3 (regions/demo_data.py).

Idempotent: a second run finds every row by its natural key and writes nothing. `--purge` first deletes
every demo row (is_demo=True) and the demo accounts (e-mail @demo.common-agenda.local).
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import translation

from regions.management.demo_loader import DemoLoader, project_models, purge_demo

# Counted in the summary, in this order.
SUMMARY_MODELS = [
    "regions.Programme",
    "regions.Region",
    "stakeholders.Organisation",
    "stakeholders.Person",
    "regions.Agenda",
    "stakeholders.RoleMatrixEntry",
    "agenda_sessions.Session",
    "agenda.SwotItem",
    "agenda.Goal",
    "projects.Project",
    "projects.WorkingTeam",
    "projects.ActionStep",
    "agenda.Memorandum",
    "agenda.Signature",
]


class Command(BaseCommand):
    help = "Load the demo data (four regions, their agendas, sessions, goals, projects, teams, memoranda). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--purge", action="store_true", help="Delete all demo rows and demo accounts before loading."
        )
        parser.add_argument(
            "--purge-only", action="store_true", help="Delete all demo rows and demo accounts, load nothing."
        )

    def handle(self, *args, purge=False, purge_only=False, **options):
        started = time.monotonic()
        loader = DemoLoader()
        try:
            with transaction.atomic():
                if purge or purge_only:
                    deleted = purge_demo()
                    self.stdout.write(f"Purged {sum(deleted.values())} demo rows.")
                if not purge_only:
                    loader.load()
        except ProtectedError as exc:
            raise CommandError(
                "Cannot purge: non-demo data depends on demo rows "
                f"({', '.join(sorted({str(o) for o in exc.protected_objects})[:5])}). Nothing was changed."
            ) from exc
        if purge_only:
            return
        self.print_summary(loader, time.monotonic() - started)
        self.print_logins(loader)

    def print_summary(self, loader: DemoLoader, seconds: float) -> None:
        from django.apps import apps

        with translation.override("en"):
            parts = [
                f"{apps.get_model(label).objects.filter(is_demo=True).count()} {apps.get_model(label)._meta.verbose_name_plural}"
                for label in SUMMARY_MODELS
            ]
        total = sum(
            model.objects.filter(is_demo=True).count()
            for model in project_models()
            if any(f.name == "is_demo" for f in model._meta.concrete_fields)
            and not model.__name__.startswith("Historical")
        )
        stats = loader.stats
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {seconds:.1f} s: {total} demo rows."))
        self.stdout.write("  " + ", ".join(parts) + ".")
        self.stdout.write(
            f"  This run: {stats['created']} created, {stats['updated']} updated, {stats['unchanged']} unchanged"
            + (f", {stats['kept']} existing non-demo rows left as they were" if stats["kept"] else "")
            + "."
        )

    def print_logins(self, loader: DemoLoader) -> None:
        width = max(len(email) for email, _ in loader.logins)
        if settings.DEBUG:
            password = settings.DEMO_PASSWORD or "(none: DEMO_PASSWORD is empty, logins are disabled)"
            self.stdout.write(f"\nDemo logins (password for all: {password}):")
        else:
            self.stdout.write(
                "\nDemo logins exist (password: settings.DEMO_PASSWORD, shown only with DEBUG on). "
                "Do not keep them on a public server: run `seed_demo --purge-only`."
            )
        for email, role in loader.logins:
            self.stdout.write(f"  {email.ljust(width)}  {role}")
