"""`manage.py seed_scale` — a large data set for benchmarks and load tests (regions/scale_data.py).

Separate from `seed_demo`: scale regions are named `<prefix>-NN` (default prefix "scale"), their accounts
end in @scale.common-agenda.local and have no usable password. Existing scale regions are left as they
are (a second run only adds missing regions); `--reset` deletes the prefix's scale data first.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from regions import scale_data


class Command(BaseCommand):
    help = (
        "Load a large benchmark data set (default 40 regions × 200 organisations). Separate from seed_demo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--regions", type=int, default=40, help="Number of regions (default 40).")
        parser.add_argument(
            "--orgs-per-region", type=int, default=200, help="Organisations per region (default 200)."
        )
        parser.add_argument(
            "--prefix",
            default=scale_data.DEFAULT_PREFIX,
            help="Slug prefix of the scale regions (default 'scale').",
        )
        parser.add_argument("--reset", action="store_true", help="Delete this prefix's scale data first.")
        parser.add_argument(
            "--reset-only", action="store_true", help="Delete this prefix's scale data, load nothing."
        )

    def handle(self, *args, regions, orgs_per_region, prefix, reset, reset_only, **options):
        if not prefix.isidentifier() and not prefix.replace("-", "").isalnum():
            raise CommandError("--prefix must be letters, digits or dashes")
        started = time.monotonic()
        if reset or reset_only:
            deleted = scale_data.reset(prefix)
            self.stdout.write(
                f"Deleted {deleted} scale rows (prefix '{prefix}') in {time.monotonic() - started:.1f} s."
            )
            if reset_only:
                return
        try:
            result = scale_data.seed(regions, orgs_per_region, prefix=prefix)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.monotonic() - started
        if result.skipped:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(result.skipped)} regions already existed and were left as they are "
                    f"({result.skipped[0]}…); use --reset to rebuild them."
                )
            )
        counts = ", ".join(f"{v} {k}" for k, v in result.created.items() if v)
        self.stdout.write(
            self.style.SUCCESS(f"Scale data loaded in {seconds:.1f} s: {counts or 'nothing new'}.")
        )
        if result.regions:
            self.stdout.write(
                f"  Regions {result.regions[0]} … {result.regions[-1]}; coordinator of the first: "
                f"{scale_data.coordinator_email(prefix, int(result.regions[0].rsplit('-', 1)[1]))}; "
                f"programme {scale_data.programme_code(prefix)}."
            )
