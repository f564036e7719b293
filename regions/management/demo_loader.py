"""Loads `regions.demo_data` into the database, and purges it again.

Loading is idempotent: every row is looked up by its natural key and written only when a value
differs, so a second run issues no INSERT or UPDATE at all — and therefore adds no django-simple-history
rows either. Rows that already exist but are not demo rows (`is_demo=False`, e.g. session kinds an
administrator created) are used as they are and never overwritten.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import Language, User
from agenda import memorandum_canonical as canonical
from agenda.models import (
    Challenge,
    Endorsement,
    Goal,
    GoalStatus,
    Indicator,
    IndicatorValue,
    Memorandum,
    MemorandumEvent,
    MemorandumRevision,
    MemorandumStatus,
    Signatory,
    SignatoryRole,
    Signature,
    SwotItem,
)
from projects.models import (
    ActionStep,
    Currency,
    FundingLine,
    MechanismKind,
    NormativeAct,
    Project,
    TeamMembership,
    WorkingTeam,
)
from regions import demo_data as data
from regions.models import (
    Agenda,
    Programme,
    ProgrammeMembership,
    Region,
    RegionMembership,
    SpecialisationDomain,
)
from sessions.models import (
    AgendaItem,
    Attendance,
    Decision,
    DocumentAcceptance,
    EventStatus,
    ExternalEvent,
    Format,
    Session,
    SessionKind,
)
from stakeholders.models import KIND_HELIX, Organisation, Person, PersonRole, RoleMatrixEntry

PROJECT_APPS = ("core", "accounts", "regions", "stakeholders", "agenda_sessions", "agenda", "projects")

SIGNED_STATUSES = {MemorandumStatus.SIGNED, MemorandumStatus.IN_FORCE}
OPENED_STATUSES = {MemorandumStatus.READY, *SIGNED_STATUSES}


def demo_email(local_part: str) -> str:
    return f"{local_part}@{data.DEMO_EMAIL_DOMAIN}"


def demo_users():
    return User.objects.filter(email__iendswith="@" + data.DEMO_EMAIL_DOMAIN)


def at(day: datetime.date, hhmm: str | datetime.time = data.SESSION_TIME) -> datetime.datetime:
    """An aware datetime in the project's time zone (Europe/Kyiv)."""
    if isinstance(hhmm, str):
        hhmm = datetime.time.fromisoformat(hhmm)
    return timezone.make_aware(datetime.datetime.combine(day, hhmm), timezone.get_default_timezone())


class DemoLoader:
    """One run of the seed. `stats` counts rows created / updated / unchanged / kept (non-demo)."""

    def __init__(self):
        self.stats: Counter[str] = Counter()
        self.logins: list[tuple[str, str]] = []
        self.kinds: dict[str, SessionKind] = {}
        self.mechanisms: dict[str, MechanismKind] = {}
        self.programmes: dict[str, Programme] = {}
        self.regions: dict[str, Region] = {}
        self.joint_sessions: dict[str, Session] = {}
        self._password_hash: str | None = None
        self.created: set[tuple[type[models.Model], int]] = set()

    # -- generic helpers --------------------------------------------------------------------------

    def upsert(self, model: type[models.Model], lookup: dict, values: dict | None = None):
        """get-or-create by `lookup`, then bring a demo row's `values` up to date, saving only the
        fields that differ (no save at all when nothing does)."""
        values = values or {}
        # A row whose natural key points at a row created in this run cannot exist yet: skip the look-up.
        fresh = any(isinstance(v, models.Model) and self.is_new(v) for v in lookup.values())
        obj = None if fresh else model._default_manager.filter(**lookup).order_by("pk").first()
        if obj is None:
            obj = model(**{k: v for k, v in lookup.items() if "__" not in k}, **values)
            if hasattr(obj, "is_demo"):
                obj.is_demo = True
            obj.save()
            self.created.add((model, obj.pk))
            self.stats["created"] += 1
            return obj
        if hasattr(obj, "is_demo") and not obj.is_demo:
            self.stats["kept"] += 1
            return obj
        changed = []
        for name, value in values.items():
            field = model._meta.get_field(name)
            if field.many_to_one or field.one_to_one:
                if getattr(obj, field.attname) != (value.pk if value is not None else None):
                    setattr(obj, name, value)
                    changed.append(name)
            elif getattr(obj, name) != value:
                setattr(obj, name, value)
                changed.append(name)
        if changed:
            if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                changed.append("updated_at")
            obj.save(update_fields=changed)
            self.stats["updated"] += 1
        else:
            self.stats["unchanged"] += 1
        return obj

    def set_m2m(self, obj, name: str, targets) -> None:
        """Replace a demo row's many-to-many set, touching the database only when it differs."""
        if not getattr(obj, "is_demo", True):
            return
        manager = getattr(obj, name)
        if self.is_new(obj):
            manager.add(*targets)
        elif set(manager.values_list("pk", flat=True)) != {t.pk for t in targets}:
            manager.set(targets)

    def is_new(self, obj: models.Model) -> bool:
        return (type(obj), obj.pk) in self.created

    def password_hash(self) -> str:
        """One hash of DEMO_PASSWORD shared by every demo account: hashing is deliberately slow, and
        re-using the stored hash when it still matches keeps a second run free of writes."""
        if self._password_hash is None:
            password = settings.DEMO_PASSWORD
            stored = Counter(demo_users().values_list("password", flat=True)).most_common(1)
            stored = stored[0][0] if stored else ""
            if password and check_password(password, stored):
                self._password_hash = stored
            elif not password and stored.startswith("!"):  # no demo password: logins stay disabled
                self._password_hash = stored
            else:
                self._password_hash = make_password(password or None)
        return self._password_hash

    def user(self, local_part: str, full_name: str, role: str, *, staff=False, superuser=False) -> User:
        email = demo_email(local_part)
        values = {
            "username": email,
            "full_name": full_name,
            "language": Language.UK,
            "is_active": True,
            "is_staff": staff or superuser,
            "is_superuser": superuser,
            "password": self.password_hash(),
        }
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create(email=email, **values)
            self.created.add((User, user.pk))
            self.stats["created"] += 1
        else:
            changed = [name for name, value in values.items() if getattr(user, name) != value]
            for name in changed:
                setattr(user, name, values[name])
            if changed:
                user.save(update_fields=changed)
                self.stats["updated"] += 1
            else:
                self.stats["unchanged"] += 1
        self.logins.append((email, role))
        return user

    # -- the whole seed ---------------------------------------------------------------------------

    def load(self) -> None:
        self.load_lookups()
        self.load_programmes()
        admin_spec, programme_spec, observer_spec = data.USERS
        self.user(
            admin_spec["email"], admin_spec["full_name"], "адміністратор / administrator", superuser=True
        )
        coordinator = self.user(
            programme_spec["email"],
            programme_spec["full_name"],
            "координатор програми / programme coordinator",
        )
        self.upsert(
            ProgrammeMembership,
            {"user": coordinator, "programme": self.programmes[programme_spec["programme"]]},
            {"role": ProgrammeMembership.Role.COORDINATOR},
        )
        self.load_joint_session()
        for spec in data.REGIONS:
            RegionLoader(self, spec).load()
        observer = self.user(
            observer_spec["email"], observer_spec["full_name"], "спостерігач / observer (Kharkiv)"
        )
        self.upsert(
            RegionMembership,
            {"user": observer, "region": self.regions[observer_spec["observer_of"]]},
            {"role": RegionMembership.Role.OBSERVER},
        )

    def load_lookups(self) -> None:
        for spec in data.SESSION_KINDS:
            values = {k: v for k, v in spec.items() if k != "code"}
            self.kinds[spec["code"]] = self.upsert(SessionKind, {"code": spec["code"]}, values)
        for order, (code, name_uk, name_en) in enumerate(data.MECHANISM_KINDS, start=1):
            self.mechanisms[code] = self.upsert(
                MechanismKind,
                {"code": code},
                {
                    "name_uk": name_uk,
                    "name_en": name_en,
                    "is_normative": code == data.NORMATIVE_MECHANISM,
                    "order": order,
                },
            )

    def load_programmes(self) -> None:
        for spec in data.PROGRAMMES:
            values = {k: v for k, v in spec.items() if k != "code"}
            self.programmes[spec["code"]] = self.upsert(Programme, {"code": spec["code"]}, values)

    def load_joint_session(self) -> None:
        spec = data.JOINT_SESSION
        kind = self.kinds["joint_agreement"]
        starts_at = at(spec["date"])
        session = self.upsert(
            Session,
            {"programme": self.programmes[spec["programme"]], "number": 1, "agenda__isnull": True},
            {
                "kind": kind,
                "title": spec["title"],
                "starts_at": starts_at,
                "duration_minutes": kind.default_duration_minutes,
                "format": spec["format"],
                "online_url": spec["online_url"],
                "status": EventStatus.HELD,
                "minutes": spec["minutes"],
                "held_at": starts_at + datetime.timedelta(minutes=kind.default_duration_minutes),
            },
        )
        for order, (time, minutes, title, presenter) in enumerate(spec["items"], start=1):
            self.upsert(
                AgendaItem,
                {"session": session, "order": order},
                {
                    "starts_at": datetime.time.fromisoformat(time),
                    "duration_minutes": minutes,
                    "title": title,
                    "presenter": presenter,
                },
            )
        self.joint_sessions[spec["programme"]] = session


class RegionLoader:
    """Loads one region's section of demo_data (DOMAIN.md §3.x)."""

    def __init__(self, loader: DemoLoader, spec: dict):
        self.loader = loader
        self.upsert = loader.upsert
        self.set_m2m = loader.set_m2m
        self.spec = spec
        self.orgs: dict[str, Organisation] = {}
        self.people: dict[str, Person] = {}
        self.users_by_person: dict[str, User] = {}
        self.domains: dict[str, SpecialisationDomain] = {}
        self.sessions: dict[int, Session] = {}
        self.swot: dict[str, SwotItem] = {}
        self.goals: dict[str, Goal] = {}
        self.projects: dict[str, Project] = {}
        self.teams: list[tuple[dict, WorkingTeam]] = []

    def load(self) -> None:
        self.load_region()
        self.load_stakeholders()
        self.load_agenda()
        self.load_sessions()
        self.load_roles()
        self.load_swot_and_challenge()
        self.load_goals()
        self.load_teams()
        self.load_projects()
        self.load_steps()
        self.load_event()
        self.load_memorandum()
        self.load_endorsements()

    # -- region, users, stakeholders --------------------------------------------------------------

    def load_region(self) -> None:
        s = self.spec
        self.region = self.upsert(
            Region,
            {"slug": s["slug"]},
            {
                "iso_code": s["iso_code"],
                "name_uk": s["name_uk"],
                "name_en": s["name_en"],
                "admin_centre_uk": s["admin_centre_uk"],
                "admin_centre_en": s["admin_centre_en"],
                "strategy_title": s["strategy_title"],
                "strategy_period": s["strategy_period"],
            },
        )
        self.loader.regions[s["slug"]] = self.region
        for code in s["programmes"]:
            self.loader.programmes[code].regions.add(self.region)  # add() ignores an existing link
        for d in s["domains"]:
            self.domains[d["key"]] = self.upsert(
                SpecialisationDomain,
                {"region": self.region, "name_uk": d["name_uk"]},
                {"name_en": d["name_en"], "domain_type": d["domain_type"], "kved": d.get("kved", "")},
            )
        c = s["coordinator"]
        self.coordinator = self.loader.user(
            c["email"],
            c["full_name"],
            f"регіональний координатор / regional coordinator ({s['name_en']})",
            staff=True,
        )
        self.upsert(
            RegionMembership,
            {"user": self.coordinator, "region": self.region},
            {"role": RegionMembership.Role.COORDINATOR},
        )
        for u in s["users"]:
            self.users_by_person[u["person"]] = self.loader.user(
                u["email"],
                u["full_name"],
                f"представник стейкхолдера / stakeholder representative ({s['name_en']})",
            )

    def load_stakeholders(self) -> None:
        s = self.spec
        for o in s["organisations"]:
            org = self.upsert(
                Organisation,
                {"region": self.region, "name_uk": o["name_uk"]},
                {
                    "name_en": o["name_en"],
                    "short_name": o["short_name"],
                    "kind": o["kind"],
                    "helix": KIND_HELIX[o["kind"]],
                    "city": s["admin_centre_uk"],
                    "size": o["size"],
                    "has_rnd_unit": o["rnd"],
                },
            )
            self.orgs[o["key"]] = org
            self.people[o["key"]] = self.person(
                org, o["rep"], f"{o['key']}.{s['key']}", o["key"], representative=True
            )
        for p in s["people"]:
            self.people[p["key"]] = self.person(
                self.orgs[p["org"]], p["position"], p["email"], p["key"], representative=False
            )

    def person(
        self,
        org: Organisation,
        position: tuple[str, str],
        email_local: str,
        key: str,
        *,
        representative: bool,
    ) -> Person:
        """A position, not a person: the Person's full name is the position's title."""
        user = self.users_by_person.get(key)
        return self.upsert(
            Person,
            {"organisation": org, "full_name": position[0]},
            {
                "position_uk": position[0],
                "position_en": position[1],
                "email": user.email if user else demo_email(email_local),
                "preferred_language": "uk",
                "consent_given": False,
                "consent_date": None,
                "user": user,
                "is_representative": representative,
            },
        )

    # -- agenda and sessions ----------------------------------------------------------------------

    def session_date(self, code: str) -> datetime.date:
        kind = next(k for k in data.SESSION_KINDS if k["code"] == code)
        return data.AGENDA["window_start"] + datetime.timedelta(
            days=kind["default_offset_days"] + self.spec["session_shift_days"]
        )

    def load_agenda(self) -> None:
        s = self.spec
        self.agenda = self.upsert(
            Agenda,
            {"region": self.region, "year": data.AGENDA_YEAR},
            {
                "title_uk": data.AGENDA["title_uk"],
                "title_en": data.AGENDA["title_en"],
                "period_start": data.AGENDA["period_start"],
                "period_end": data.AGENDA["period_end"],
                "window_start": data.AGENDA["window_start"],
                "window_end": data.AGENDA["window_end"],
                "vision_uk": s["vision_uk"],
                "vision_en": s["vision_en"],
                "coordinator_org": self.orgs[s["coordinator_org"]],
                "status": data.AGENDA["status"],
                "approved_at": self.session_date("working_teams"),
            },
        )
        self.set_m2m(self.agenda, "programmes", [self.loader.programmes[c] for c in s["programmes"]])
        # Session 1 is the programme's joint meeting: the region records its acceptance of the document.
        joint = self.loader.joint_sessions[data.JOINT_SESSION["programme"]]
        self.upsert(
            DocumentAcceptance,
            {"session": joint, "region": self.region},
            {
                "accepted": True,
                "accepted_at": joint.held_at,
                "accepted_by": self.coordinator,
                "comments": s["acceptance_comment"],
            },
        )

    def minutes_context(self, number: int) -> dict:
        s = self.spec
        total = len(s["organisations"])
        pilot = s["projects"][0]
        return {
            "region": s["name_uk"],
            "present": total - len(s["absent"].get(number, [])),
            "total": total,
            "leader_note": s["leader_note"],
            "challenge": f"{s['challenge']['code']} «{s['challenge']['uk']}»",
            "goals": "; ".join(f"{g['code']} «{g['uk']}»" for g in s["goals"]),
            "projects": ", ".join(p["code"] for p in s["projects"]),
            "pilot": f"{pilot['code']} «{pilot['uk']}»",
            "teams": ", ".join(f"«{t['uk']}»" for t in s["teams"]),
        }

    def load_sessions(self) -> None:
        s = self.spec
        facilitator = self.people[s["facilitator"]]
        for kind_spec in data.SESSION_KINDS[1:]:
            kind = self.loader.kinds[kind_spec["code"]]
            number = kind_spec["order"]
            starts_at = at(self.session_date(kind_spec["code"]))
            session = self.upsert(
                Session,
                {"agenda": self.agenda, "number": number},
                {
                    "kind": kind,
                    "title": kind_spec["name_uk"],
                    "starts_at": starts_at,
                    "duration_minutes": 180,
                    "format": Format.HYBRID,
                    "venue": s["venue"],
                    "online_url": f"https://meet.{data.DEMO_EMAIL_DOMAIN}/{s['slug']}-session-{number}",
                    "facilitator": facilitator,
                    "status": EventStatus.HELD,
                    "minutes": data.SESSION_MINUTES[kind_spec["code"]].format(**self.minutes_context(number)),
                    "held_at": starts_at + datetime.timedelta(minutes=180),
                },
            )
            self.sessions[number] = session
            for order, (time, minutes, title, presenter) in enumerate(
                data.SESSION_ITEMS[kind_spec["code"]], start=1
            ):
                self.upsert(
                    AgendaItem,
                    {"session": session, "order": order},
                    {
                        "starts_at": datetime.time.fromisoformat(time),
                        "duration_minutes": minutes,
                        "title": title,
                        "presenter": presenter,
                    },
                )
            absent = set(s["absent"].get(number, []))
            for o in s["organisations"]:
                person = self.people[o["key"]]
                came = o["key"] not in absent
                self.upsert(
                    Attendance,
                    {"session": session, "person": person},
                    {
                        "organisation": person.organisation,
                        "role": PersonRole.FACILITATOR if person == facilitator else PersonRole.MEMBER,
                        "invited_at": starts_at - datetime.timedelta(days=7),
                        "reply": Attendance.Reply.ACCEPTED if came else Attendance.Reply.DECLINED,
                        "attended": came,
                    },
                )
        for number, text, org_key, due in s["decisions"]:
            self.upsert(
                Decision,
                {"session": self.sessions[number], "text": text},
                {"responsible_org": self.orgs[org_key], "due_date": due},
            )

    # -- criterion 1: the role matrix -------------------------------------------------------------

    def load_roles(self) -> None:
        session = self.sessions[2]
        for o in self.spec["organisations"]:
            row = self.spec["roles"][o["key"]]
            rep_user = self.users_by_person.get(o["key"])
            confirmed_by = confirmed_at = None
            if row["confirmed"]:
                if rep_user:  # the representative confirmed online two days after the session
                    confirmed_by, confirmed_at = (
                        rep_user,
                        at(session.starts_at.date() + datetime.timedelta(days=2), "15:30"),
                    )
                else:  # confirmed at the session, recorded by the coordinator
                    confirmed_by, confirmed_at = self.coordinator, session.held_at
            entry = self.upsert(
                RoleMatrixEntry,
                {"agenda": self.agenda, "organisation": self.orgs[o["key"]]},
                {
                    "representative": self.people[o["key"]],
                    "current_role_type": row["current"][0],
                    "current_role": row["current"][1],
                    "refined_role_type": row["refined"][0],
                    "refined_role": row["refined"][1],
                    "zone_of_responsibility": row["zone"],
                    "sphere_of_interest": row["interest"],
                    "commitment": row["commitment"],
                    "commitment_level": row["level"],
                    "influence": row["influence"],
                    "interest": row["interest_level"],
                    "comment": row.get("comment", ""),
                    "is_leader": "leader" in row,
                    "leader_direction": self.domains[row["leader"]] if "leader" in row else None,
                    "confirmed_at": confirmed_at,
                    "confirmed_by": confirmed_by,
                },
            )
            self.set_m2m(entry, "domains", [self.domains[k] for k in row.get("domains", [])])

    # -- sessions 3 and 4: SWOT, challenge, goals ---------------------------------------------------

    def load_swot_and_challenge(self) -> None:
        for order, item in enumerate(self.spec["swot"], start=1):
            self.swot[item["key"]] = self.upsert(
                SwotItem,
                {"agenda": self.agenda, "quadrant": item["quadrant"], "text_uk": item["uk"]},
                {
                    "text_en": item["en"],
                    "dimension": item["dimension"],
                    "importance": item["importance"],
                    "evidence_source": item["source"],
                    "proposed_by": self.orgs[item["by"]],
                    "session": self.sessions[3],
                    "order": order,
                },
            )
        c = self.spec["challenge"]
        self.challenge = self.upsert(
            Challenge,
            {"agenda": self.agenda, "code": c["code"]},
            {
                "title_uk": c["uk"],
                "title_en": c["en"],
                "description": c["description"],
                "root_causes": c["root_causes"],
                "dimension": c["dimension"],
                "priority": 1,
                "rank": 1,
                "owner": self.orgs[c["owner"]],
                "status": Challenge.Status.ADDRESSED,
            },
        )
        self.set_m2m(self.challenge, "swot_items", [self.swot[k] for k in c["swot"]])

    def load_goals(self) -> None:
        for g in self.spec["goals"]:
            name_uk, name_en, unit = g["indicator"]
            owner = self.orgs[g["owner"]]
            indicator = self.upsert(
                Indicator,
                {"region": self.region, "name_uk": name_uk},
                {
                    "name_en": name_en,
                    "kind": Indicator.Kind.OUTPUT,
                    "unit": unit,
                    "direction": Indicator.Direction.INCREASE,
                    "frequency": Indicator.Frequency.QUARTERLY,
                    "data_source": f"Звіти відповідальної організації ({owner.short_name})",
                },
            )
            values = [(data.BASELINE_DATE, g["baseline"], "Базове значення")] + [
                (day, value, "Моніторинг робочої команди") for day, value in g.get("progress", [])
            ]
            for day, value, note in values:
                self.upsert(
                    IndicatorValue,
                    {
                        "indicator": indicator,
                        "period_date": day,
                        "value_type": IndicatorValue.ValueType.ACTUAL,
                    },
                    {"value": Decimal(value), "source_note": note, "reported_by": self.people[g["owner"]]},
                )
            self.goals[g["code"]] = self.upsert(
                Goal,
                {"agenda": self.agenda, "code": g["code"]},
                {
                    "challenge": self.challenge,
                    "title_uk": g["uk"],
                    "title_en": g["en"],
                    "specific_uk": g["specific_uk"],
                    "specific_en": g["specific_en"],
                    "indicator": indicator,
                    "baseline_value": Decimal(g["baseline"]),
                    "baseline_date": data.BASELINE_DATE,
                    "target_value": Decimal(g["target"]),
                    "deadline": g["deadline"],
                    "owner_org": owner,
                    "owner_person": self.people[g["owner"]],
                    "achievability_note": g["achievability"],
                    "relevance_note": g["relevance"],
                    "domain": self.domains[g["domain"]],
                    "status": GoalStatus.AGREED,
                },
            )

    # -- session 5: teams, portfolio, action plan ---------------------------------------------------

    def load_teams(self) -> None:
        joined = self.session_date("working_teams")
        for t in self.spec["teams"]:
            team = self.upsert(
                WorkingTeam,
                {"agenda": self.agenda, "name_uk": t["uk"]},
                {
                    "name_en": t["en"],
                    "kind": t["kind"],
                    "mandate_uk": t["mandate_uk"],
                    "mandate_en": t["mandate_en"],
                    "domain": self.domains[t["domain"]],
                    "status": WorkingTeam.Status.ACTIVE,
                    "cadence": t["cadence"],
                },
            )
            self.teams.append((t, team))
            for role, person_key in t["members"]:
                person = self.people[person_key]
                self.upsert(
                    TeamMembership,
                    {"team": team, "person": person, "left_on__isnull": True},
                    {"organisation": person.organisation, "role": role, "joined_on": joined},
                )

    def load_projects(self) -> None:
        pilot_team = {t["pilot"]: team for t, team in self.teams if t.get("pilot")}
        for index, p in enumerate(self.spec["projects"]):
            budget = sum(
                (
                    Decimal(amount) * (data.EUR_TO_UAH if currency == Currency.EUR else 1)
                    for _, _, amount, currency, _ in p["funding"]
                ),
                Decimal(0),
            )
            project = self.upsert(
                Project,
                {"agenda": self.agenda, "code": p["code"]},
                {
                    "title_uk": p["uk"],
                    "title_en": p["en"],
                    "summary_uk": p["summary_uk"],
                    "summary_en": p["summary_en"],
                    "is_pilot": index == 0,
                    "priority": p["priority"],
                    "domain": self.domains[p["domain"]],
                    "lead_org": self.orgs[p["lead"]],
                    "team": pilot_team.get(p["code"]),
                    "budget_total": budget or None,
                    "currency": Currency.UAH,
                    "start_date": p.get("start"),
                    "end_date": p.get("end"),
                    "status": p["status"],
                    "expected_results": p.get("expected_results", ""),
                    "risks": p.get("risks", ""),
                },
            )
            self.projects[p["code"]] = project
            self.set_m2m(project, "goals", [self.goals[c] for c in p["goals"]])
            self.set_m2m(project, "mechanisms", [self.loader.mechanisms[c] for c in p["mechanisms"]])
            self.set_m2m(project, "partners", [self.orgs[k] for k in p["partners"]])
            for source_kind, source_name, amount, currency, status in p["funding"]:
                self.upsert(
                    FundingLine,
                    {"project": project, "source_kind": source_kind, "source_name": source_name},
                    {
                        "amount": Decimal(amount),
                        "currency": currency,
                        "year": data.AGENDA_YEAR,
                        "status": status,
                    },
                )
            if act := p.get("act"):
                normative = self.upsert(
                    NormativeAct,
                    {"title": act["title"]},
                    {
                        "mechanism": self.loader.mechanisms[data.NORMATIVE_MECHANISM],
                        "act_type": act["type"],
                        "issuing_body": self.orgs[act["issuer"]] if act["issuer"] else None,
                        "stage": act["stage"],
                    },
                )
                self.set_m2m(normative, "projects", [project])

    def load_steps(self) -> None:
        pilot = self.projects[self.spec["projects"][0]["code"]]
        for number, title, person_key, start, due, status, progress, deliverable, goal in self.spec["steps"]:
            person = self.people[person_key]
            self.upsert(
                ActionStep,
                {"project": pilot, "number": number},
                {
                    "title_uk": title,
                    "responsible_org": person.organisation,
                    "responsible_person": person,
                    "start_date": start,
                    "due_date": due,
                    "status": status,
                    "progress_pct": progress,
                    "deliverable": deliverable,
                    "goal": self.goals[goal] if goal else None,
                },
            )

    def load_endorsements(self) -> None:
        """Endorsements of the goal list and portfolio as the seed left them (data.ENDORSEMENTS): the
        hash and snapshot of the current canonical content, or of an earlier variant of it."""
        from agenda.canonical import canonical_content, content_hash

        spec = data.ENDORSEMENTS.get(self.spec["slug"], {})
        content = canonical_content(self.agenda)
        versions = [(key, content) for key in spec.get("current", [])]
        for key, (code, field, value) in spec.get("earlier", {}).items():
            earlier = {
                **content,
                "goals": [{**g, field: value} if g["code"] == code else g for g in content["goals"]],
            }
            versions.append((key, earlier))
        for key, snapshot in versions:
            self.upsert(
                Endorsement,
                {
                    "agenda": self.agenda,
                    "organisation": self.orgs[key],
                    "content_hash": content_hash(snapshot),
                },
                {"snapshot": snapshot, "endorsed_by": self.users_by_person.get(key)},
            )

    def load_event(self) -> None:
        e = self.spec["event"]
        self.event = self.upsert(
            ExternalEvent,
            {"agenda": self.agenda, "title_uk": e["uk"]},
            {
                "kind": e["kind"],
                "title_en": e["en"],
                "starts_at": at(e["date"], e["start"]),
                "ends_at": at(e["date"], e["end"]),
                "format": e["format"],
                "location": e["location"],
                "organiser": self.orgs[e["organiser"]],
                "stage": self.loader.kinds[e["stage"]],
                "status": e["status"],
                "participants_count": e["participants"],
                "target_audience": e["audience"],
                "expected_outcome": e["expected"],
                "actual_outcome": e["actual"],
            },
        )

    # -- the memorandum -------------------------------------------------------------------------------

    def load_memorandum(self) -> None:
        s, m = self.spec, self.spec["memorandum"]
        status = MemorandumStatus(m["status"])
        memorandum = self.upsert(
            Memorandum,
            {
                "agenda": self.agenda,
                "title_uk": data.MEMORANDUM_TITLE_UK.format(genitive_uk=s["genitive_uk"]),
            },
            {
                "number": m["number"],
                "title_en": data.MEMORANDUM_TITLE_EN.format(name_en=s["name_en"]),
                "language": "uk",
                "valid_from": m["valid_from"],
                "valid_until": m["valid_until"],
                "status": status,
                "signed_date": m["signed"],
                "place": m["place"],
                "signing_event": self.event if m["signing_event"] else None,
                "is_public": status in SIGNED_STATUSES,
            },
        )
        signatories = []
        for order, (org_key, party_role) in enumerate(m["signatories"], start=1):
            org = self.orgs[org_key]
            person = self.people[org_key] if org_key in m["signer_persons"] else None
            position = (person.position_uk, person.position_en) if person else data.SIGNER_POSITIONS[org.kind]
            signatories.append(
                self.upsert(
                    Signatory,
                    {"memorandum": memorandum, "organisation": org},
                    {
                        "side": org.helix,
                        "signer_position_uk": position[0],
                        "signer_position_en": position[1],
                        "person": person,
                        "party_role": party_role,
                        "own_obligations": s["roles"][org_key]["commitment"],
                        "order": order,
                    },
                )
            )
        body = self.memorandum_body(memorandum, signatories)
        subject = data.MEMORANDUM_SUBJECT.format(genitive_uk=s["genitive_uk"])
        opened = status in OPENED_STATUSES
        # An opened revision is frozen exactly as the platform freezes one (agenda.memorandum_canonical):
        # the snapshot of the text, parties and goals, its SHA-256 and the verification code.
        snapshot = (
            canonical.revision_snapshot(
                MemorandumRevision(memorandum=memorandum, number=1, subject=subject, body=body),
                signatories,
                canonical.agenda_goals(self.agenda),
            )
            if opened
            else None
        )
        content_hash = canonical.content_hash(snapshot) if opened else ""
        revision = self.upsert(
            MemorandumRevision,
            {"memorandum": memorandum, "number": 1},
            {
                "subject": subject,
                "body": body,
                "opened_at": at(m["opened"]) if opened else None,
                "content_hash": content_hash,
                "content_snapshot": snapshot,
                "verification_code": m["verification_code"] if opened else "",
            },
        )
        events = [
            (MemorandumEvent.Kind.CREATED, "Редакція 1", at(self.session_date("working_teams"), "16:00"))
        ]
        if opened:
            events.append(
                (MemorandumEvent.Kind.OPENED, "Редакцію 1 відкрито для підписання", revision.opened_at)
            )
            all_signed = status in SIGNED_STATUSES
            wet_ink_keys = set(m.get("wet_ink_signed", ()))
            for (org_key, _party_role), signatory in zip(m["signatories"], signatories, strict=True):
                acceded = signatory.party_role == SignatoryRole.ACCEDED
                signed = all_signed or org_key in wet_ink_keys
                if not signed:
                    signed_at = None
                elif all_signed:
                    signed_at = at(m["acceded_on"] if acceded else m["signed"], "12:00")
                else:
                    signed_at = at(m["wet_ink_on"], "12:00")
                self.upsert(
                    Signature,
                    {"revision": revision, "signatory": signatory},
                    {
                        "status": Signature.Status.SIGNED if signed else Signature.Status.PENDING,
                        "method": Signature.Method.WET_INK if signed else Signature.Method.ONLINE,
                        "signed_at": signed_at,
                        "typed_name": signatory.signer_position_uk if signed else "",
                        "content_hash": content_hash if signed else "",
                    },
                )
                if signed:
                    events.append((MemorandumEvent.Kind.WET_INK, signatory.organisation.name_uk, signed_at))
            if all_signed:  # the founding parties have all signed; parties that acceded later come after
                events.append(
                    (MemorandumEvent.Kind.COMPLETED, "Усі сторони підписали", at(m["signed"], "12:00"))
                )
        for kind, detail, when in events:
            event = self.upsert(
                MemorandumEvent,
                {"memorandum": memorandum, "revision": revision, "kind": kind, "detail": detail},
            )
            if event.is_demo and event.created_at != when:
                # The audit trail must read as of 2020–2021, not as of the day the seed ran.
                MemorandumEvent.objects.filter(pk=event.pk).update(created_at=when, updated_at=when)

    def memorandum_body(self, memorandum: Memorandum, signatories: list[Signatory]) -> str:
        s = self.spec
        return data.MEMORANDUM_BODY.format(
            place=s["memorandum"]["place"],
            year=data.AGENDA_YEAR,
            parties=", ".join(
                sig.organisation.name_uk for sig in signatories if sig.party_role != SignatoryRole.ACCEDED
            ),
            genitive_uk=s["genitive_uk"],
            goal_codes=", ".join(g["code"] for g in s["goals"]),
            valid_until=f"{s['memorandum']['valid_until']:%d.%m.%Y}",
        )


# -- purge ----------------------------------------------------------------------------------------

# Children before parents, so that no PROTECT foreign key stands in the way. Lookup tables (session and
# mechanism kinds) are removed only where no remaining (non-demo) row still uses them.
PURGE_ORDER = [
    "agenda.MemorandumEvent",
    "agenda.Signature",
    "agenda.MemorandumRevision",
    "agenda.Signatory",
    "agenda.Memorandum",
    "agenda.Endorsement",
    "projects.ActionStep",
    "projects.TeamMembership",
    "projects.NormativeAct",
    "projects.FundingLine",
    "projects.Project",
    "projects.WorkingTeam",
    "agenda.SwotVote",
    "agenda.Goal",
    "agenda.Challenge",
    "agenda.SwotItem",
    "agenda.IndicatorValue",
    "agenda.Indicator",
    "agenda_sessions.ExternalEvent",
    "agenda_sessions.DocumentAcceptance",
    "agenda_sessions.Decision",
    "agenda_sessions.Attendance",
    "agenda_sessions.AgendaItem",
    "agenda_sessions.Session",
    "agenda_sessions.CalendarFeed",
    "stakeholders.RoleMatrixEntry",
    "regions.Agenda",
    "stakeholders.Person",
    "stakeholders.Organisation",
    "regions.RegionMembership",
    "regions.ProgrammeMembership",
    "regions.Material",
    "regions.SpecialisationDomain",
    "regions.Region",
    "regions.Programme",
]


def purge_demo() -> Counter:
    """Delete every demo row (and the demo accounts); returns the number of rows deleted per model.

    Deleting a tracked model writes a "deleted" history row that is itself marked is_demo, so history
    tables are swept last. Raises ProtectedError if real (non-demo) data hangs off demo rows, e.g. a real
    organisation added to a demo region — the caller's transaction then rolls everything back.
    """
    deleted: Counter[str] = Counter()

    def count(result):
        for label, n in result[1].items():
            deleted[label] += n

    for label in PURGE_ORDER:
        count(apps.get_model(label).objects.filter(is_demo=True).delete())
    count(
        SessionKind.objects.filter(is_demo=True, sessions__isnull=True, external_events__isnull=True).delete()
    )
    count(MechanismKind.objects.filter(is_demo=True, projects__isnull=True, acts__isnull=True).delete())
    count(demo_users().delete())
    # Anything else marked demo (models added later, history rows), in a few passes in case of order.
    # The last pass lets a ProtectedError through.
    sweep = [
        model
        for model in project_models()
        if model not in (SessionKind, MechanismKind)
        and any(f.name == "is_demo" for f in model._meta.concrete_fields)
    ]
    for attempt in range(3):
        blocked = []
        for model in sweep:
            try:
                count(model._default_manager.filter(is_demo=True).delete())
            except ProtectedError:
                if attempt == 2:
                    raise
                blocked.append(model)
        if not blocked:
            break
        sweep = blocked
    # django-simple-history keeps many-to-many snapshots (e.g. a role-matrix row's domains) in tables
    # whose link to the history row has no database constraint (DO_NOTHING): sweep the snapshots whose
    # history row is gone, or a purge would leave them behind.
    for model in project_models():
        names = {f.name for f in model._meta.concrete_fields}
        if {"m2m_history_id", "history"} <= names:
            parent = model._meta.get_field("history").related_model
            count(
                model._default_manager.exclude(history_id__in=parent._default_manager.values("pk")).delete()
            )
    return deleted


def project_models(include_auto_created: bool = False) -> list[type[models.Model]]:
    result = []
    for label in PROJECT_APPS:
        result.extend(apps.get_app_config(label).get_models(include_auto_created=include_auto_created))
    return result
