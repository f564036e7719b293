"""Prepare the load test: scale data (LOAD_REGIONS × LOAD_ORGS), then one session per simulated person —
LOAD_USERS stakeholders (representatives, spread over the regions, each with their own organisation's
role-matrix row) and LOAD_COORDINATORS coordinators — written to bench/.work/load_users.json, with a
snapshot of the counts the checker compares against."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from regions import scale_data  # noqa: E402
from stakeholders.models import RoleMatrixEntry  # noqa: E402

WORK = Path(os.environ.get("LOAD_WORK", Path(__file__).resolve().parent / ".work"))


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def main():
    regions = int(os.environ.get("LOAD_REGIONS", "10"))
    orgs = int(os.environ.get("LOAD_ORGS", "20"))
    users = int(os.environ.get("LOAD_USERS", "200"))
    coordinators = int(os.environ.get("LOAD_COORDINATORS", "10"))
    if users > regions * orgs:
        raise SystemExit(f"LOAD_USERS={users} needs at least that many organisations (regions × orgs)")
    call_command("seed_scale", "--reset", "--regions", str(regions), "--orgs-per-region", str(orgs))
    entries = list(
        RoleMatrixEntry.objects.filter(agenda__region__in=scale_data.scale_regions())
        .select_related("agenda__region", "representative__user")
        .order_by("organisation__name_uk", "agenda__region__slug")
    )
    # Interleave the regions, so that the stakeholders are spread over all of them.
    entries.sort(key=lambda e: (int(e.organisation.name_uk[12:16]), e.agenda.region.slug))
    stakeholders = [
        {
            "email": e.representative.user.email,
            "cookie": session_cookie(e.representative.user),
            "region": e.agenda.region.slug,
            "year": e.agenda.year,
            "entry": e.pk,
        }
        for e in entries[:users]
    ]
    coordinator_rows = []
    for i in range(1, min(coordinators, regions) + 1):
        user = User.objects.get(email=scale_data.coordinator_email(scale_data.DEFAULT_PREFIX, i))
        coordinator_rows.append(
            {
                "email": user.email,
                "cookie": session_cookie(user),
                "region": scale_data.region_slug(scale_data.DEFAULT_PREFIX, i),
                "year": scale_data.YEAR,
            }
        )
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "load_users.json").write_text(
        json.dumps({"stakeholders": stakeholders, "coordinators": coordinator_rows})
    )
    (WORK / "acks.jsonl").write_text("")
    print(f"  {len(stakeholders)} stakeholders and {len(coordinator_rows)} coordinators with sessions")


if __name__ == "__main__":
    main()
