"""A large, realistic data set for benchmarks and load tests (`manage.py seed_scale`).

Separate from the demo data (`seed_demo`): scale rows are ordinary rows (`is_demo=False`), recognised
by their region slugs (`<prefix>-NN`), their programme (`<prefix>-programme`) and the e-mail domain of
their accounts (`@scale.common-agenda.local`). Every region gets, per organisation, a representative
with an account, a role-matrix row and SWOT items; per region a full agenda: sessions 2–5 with items and
attendance, the programme's joint session 1, challenges, SMART goals with indicators, a project
portfolio with funding, working teams with members and action steps. Rows are written with
`bulk_create` (history rows with simple_history's `bulk_create_with_history` where a model keeps
history), so 40 regions × 200 organisations take well under a minute.

Accounts get an unusable password: benchmarks log in by creating sessions directly.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from agenda.models import (
    Challenge,
    EcosystemDimension,
    EvidenceSource,
    Goal,
    GoalStatus,
    Indicator,
    Memorandum,
    SwotItem,
    SwotQuadrant,
    SwotVote,
)
from projects.models import (
    ActionStep,
    FundingLine,
    FundingSourceKind,
    MechanismKind,
    Project,
    ProjectStatus,
    TeamKind,
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
from sessions.models import AgendaItem, Attendance, EventStatus, Format, Session, SessionKind
from stakeholders.models import (
    KIND_HELIX,
    CommitmentLevel,
    EcosystemRole,
    Level3,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    RoleMatrixEntry,
)

EMAIL_DOMAIN = "scale.common-agenda.local"
DEFAULT_PREFIX = "scale"
YEAR = data.AGENDA_YEAR

DOMAINS = [
    ("Машинобудування та автоматизація", "Machine building and automation", "existing"),
    ("Агропереробка 4.0", "Agri-food processing 4.0", "existing"),
    ("Цифрові послуги та ІТ", "Digital services and IT", "emerging"),
    ("Енергоефективність", "Energy efficiency", "cross_cutting"),
]
KINDS = list(OrganisationKind.values)
ROLES = [r for r in EcosystemRole.values if r != EcosystemRole.OBSERVER]
QUADRANTS = list(SwotQuadrant.values)
DIMENSIONS = list(EcosystemDimension.values)
SWOT_TEXT = {
    "S": "Сильна інженерна школа та досвід {n} підприємств у галузі",
    "W": "Слабка співпраця між наукою та бізнесом у напрямі №{n}",
    "O": "Можливість залучити програми ЄС для проєкту №{n}",
    "T": "Відтік кваліфікованих кадрів з регіону (спостереження №{n})",
}


def email(local: str) -> str:
    return f"{local}@{EMAIL_DOMAIN}"


def region_slug(prefix: str, index: int) -> str:
    return f"{prefix}-{index:02d}"


def coordinator_email(prefix: str, index: int) -> str:
    return email(f"coord.{region_slug(prefix, index)}")


def programme_code(prefix: str) -> str:
    return f"{prefix}-programme"


def programme_coordinator_email(prefix: str) -> str:
    return email(f"programme.{prefix}")


def representative_email(prefix: str, region_index: int, org_index: int) -> str:
    return email(f"rep.{region_slug(prefix, region_index)}.{org_index:04d}")


@dataclass
class ScaleResult:
    created: Counter = field(default_factory=Counter)
    regions: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def scale_regions(prefix: str = DEFAULT_PREFIX):
    return Region.objects.filter(slug__regex=rf"^{prefix}-[0-9]{{2}}$")


def scale_users():
    return User.objects.filter(email__iendswith="@" + EMAIL_DOMAIN)


@transaction.atomic
def reset(prefix: str = DEFAULT_PREFIX) -> int:
    """Delete the scale regions of `prefix` with everything in them, their programme and the scale
    accounts no other region uses. Returns the number of rows deleted."""
    regions = scale_regions(prefix)
    total = 0
    total += Memorandum.objects.filter(agenda__region__in=regions).delete()[0]
    total += Agenda.objects.filter(region__in=regions).delete()[0]
    total += Person.objects.filter(organisation__region__in=regions).delete()[0]
    total += Organisation.objects.filter(region__in=regions).delete()[0]
    total += Indicator.objects.filter(region__in=regions).delete()[0]
    total += regions.delete()[0]
    total += Programme.objects.filter(code=programme_code(prefix)).delete()[0]
    total += scale_users().filter(email__istartswith=f"coord.{prefix}-").delete()[0]
    total += scale_users().filter(email__istartswith=f"rep.{prefix}-").delete()[0]
    total += scale_users().filter(email__iexact=programme_coordinator_email(prefix)).delete()[0]
    return total


def _session_kinds() -> dict[int, SessionKind]:
    kinds = {}
    for spec in data.SESSION_KINDS:
        kind = (
            SessionKind.objects.filter(code=spec["code"]).first()
            or SessionKind.objects.filter(order=spec["order"]).first()
        )
        if kind is None:
            kind = SessionKind.objects.create(**spec)
        kinds[spec["order"]] = kind
    return kinds


def _mechanisms() -> list[MechanismKind]:
    for order, (code, name_uk, name_en) in enumerate(data.MECHANISM_KINDS, start=1):
        MechanismKind.objects.get_or_create(
            code=code,
            defaults={
                "name_uk": name_uk,
                "name_en": name_en,
                "order": order,
                "is_normative": code == "normative_act",
            },
        )
    return list(MechanismKind.objects.order_by("order", "code"))


def _free_iso_codes(count: int) -> list[str]:
    used = set(Region.objects.values_list("iso_code", flat=True))
    free = [f"UA-{n:02d}" for n in range(100) if f"UA-{n:02d}" not in used]
    if len(free) < count:
        raise ValueError(
            f"only {len(free)} ISO codes (UA-00…UA-99) are free; ask for at most that many new regions"
        )
    return free[:count]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(hour)), timezone.get_default_timezone()
    )


@transaction.atomic
def seed(
    regions: int = 40, orgs_per_region: int = 200, *, prefix: str = DEFAULT_PREFIX, seed_value: int = 1
) -> ScaleResult:
    """Create `regions` scale regions of `orgs_per_region` organisations each. Regions that already
    exist (same slug) are left as they are and reported as skipped: run `reset` first to rebuild."""
    if regions < 1 or orgs_per_region < 1:
        raise ValueError("regions and orgs_per_region must be at least 1")
    rng = random.Random(seed_value)
    result = ScaleResult()
    kinds = _session_kinds()
    mechanisms = _mechanisms()
    password = make_password(None)  # unusable: scale accounts cannot log in with a password

    programme, made = Programme.objects.get_or_create(
        code=programme_code(prefix),
        defaults={
            "name_uk": f"Масштабна програма «{prefix}»",
            "name_en": f"Scale programme '{prefix}'",
            "operator": "Benchmark",
            "period_start": datetime.date(2020, 8, 1),
            "period_end": datetime.date(2021, 12, 31),
        },
    )
    result.created["programmes"] += made
    prog_user, made = User.objects.get_or_create(
        email=programme_coordinator_email(prefix),
        defaults={
            "username": programme_coordinator_email(prefix),
            "full_name": "Координатор програми (масштаб)",
            "password": password,
        },
    )
    result.created["users"] += made
    ProgrammeMembership.objects.get_or_create(user=prog_user, programme=programme)
    joint_start = _at(data.AGENDA["window_start"])
    joint, made = Session.objects.get_or_create(
        programme=programme,
        number=1,
        defaults={
            "kind": kinds[1],
            "title": kinds[1].name_uk,
            "starts_at": joint_start,
            "format": Format.ONLINE,
            "online_url": f"https://meet.{EMAIL_DOMAIN}/{prefix}-joint",
            "status": EventStatus.HELD,
            "minutes": "Спільний документ узгоджено всіма регіонами програми.",
            "held_at": joint_start + datetime.timedelta(hours=3),
        },
    )
    result.created["sessions"] += made

    existing = set(scale_regions(prefix).values_list("slug", flat=True))
    wanted = [i for i in range(1, regions + 1) if region_slug(prefix, i) not in existing]
    result.skipped = sorted(existing & {region_slug(prefix, i) for i in range(1, regions + 1)})
    if not wanted:
        return result
    codes = _free_iso_codes(len(wanted))

    # -- regions, domains, coordinators ------------------------------------------------------------
    region_objs = Region.objects.bulk_create(
        [
            Region(
                slug=region_slug(prefix, i),
                iso_code=code,
                name_uk=f"Масштабна область {i:02d}",
                name_en=f"Scale Oblast {i:02d}",
                admin_centre_uk=f"Місто {i:02d}",
                admin_centre_en=f"City {i:02d}",
                strategy_title="Регіональна стратегія розвитку на 2021–2027 роки",
                strategy_period="2021–2027",
            )
            for i, code in zip(wanted, codes, strict=True)
        ]
    )
    result.regions = [r.slug for r in region_objs]
    result.created["regions"] += len(region_objs)
    programme.regions.add(*region_objs)
    domain_objs = SpecialisationDomain.objects.bulk_create(
        [
            SpecialisationDomain(region=r, name_uk=uk, name_en=en, domain_type=dt, is_main=k < 3)
            for r in region_objs
            for k, (uk, en, dt) in enumerate(DOMAINS)
        ]
    )
    domains = {r.pk: [d for d in domain_objs if d.region_id == r.pk] for r in region_objs}
    coordinators = User.objects.bulk_create(
        [
            User(
                email=coordinator_email(prefix, i),
                username=coordinator_email(prefix, i),
                full_name=f"Координатор області {i:02d}",
                password=password,
            )
            for i in wanted
        ]
    )
    RegionMembership.objects.bulk_create(
        [
            RegionMembership(user=u, region=r, role=RegionMembership.Role.COORDINATOR)
            for u, r in zip(coordinators, region_objs, strict=True)
        ]
    )
    result.created["users"] += len(coordinators)

    # -- organisations, representatives (with accounts) ------------------------------------------
    n = orgs_per_region
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                region=r,
                name_uk=f"Організація {j:04d} · {r.name_uk}",
                name_en=f"Organisation {j:04d} · {r.name_en}",
                short_name=f"Орг {j:04d}",
                kind=KINDS[j % len(KINDS)],
                helix=KIND_HELIX[KINDS[j % len(KINDS)]],
                city=r.admin_centre_uk,
                size=["micro", "small", "medium", "large"][j % 4],
                has_rnd_unit=j % 3 == 0,
            )
            for r in region_objs
            for j in range(1, n + 1)
        ]
    )
    org_by_region = {r.pk: orgs[k * n : (k + 1) * n] for k, r in enumerate(region_objs)}
    rep_users = User.objects.bulk_create(
        [
            User(
                email=representative_email(prefix, i, j),
                username=representative_email(prefix, i, j),
                full_name=f"Представник {j:04d} області {i:02d}",
                password=password,
            )
            for i in wanted
            for j in range(1, n + 1)
        ]
    )
    people = Person.objects.bulk_create(
        [
            Person(
                organisation=org,
                full_name=f"Керівник організації {k % n + 1:04d}",
                position_uk="Директор",
                position_en="Director",
                email=user.email,
                user=user,
                is_representative=True,
            )
            for k, (org, user) in enumerate(zip(orgs, rep_users, strict=True))
        ]
    )
    person_by_org = {p.organisation_id: p for p in people}
    result.created.update(organisations=len(orgs), people=len(people), users=len(rep_users))

    # -- agendas and sessions ----------------------------------------------------------------------
    agendas = Agenda.objects.bulk_create(
        [
            Agenda(
                region=r,
                year=YEAR,
                title_uk=data.AGENDA["title_uk"],
                title_en=data.AGENDA["title_en"],
                period_start=data.AGENDA["period_start"],
                period_end=data.AGENDA["period_end"],
                window_start=data.AGENDA["window_start"],
                window_end=data.AGENDA["window_end"],
                vision_uk="Інноваційна екосистема, у якій влада, бізнес, наука та громада діють спільно.",
                coordinator_org=org_by_region[r.pk][0],
                status=Agenda.Status.IN_DISCUSSION,
            )
            for r in region_objs
        ]
    )
    Agenda.programmes.through.objects.bulk_create(
        [Agenda.programmes.through(agenda_id=a.pk, programme_id=programme.pk) for a in agendas]
    )
    sessions = []
    for a in agendas:
        for number in (2, 3, 4, 5):
            start = _at(
                data.AGENDA["window_start"]
                + datetime.timedelta(days=kinds[number].default_offset_days or 20 * number)
            )
            held = number <= 3
            sessions.append(
                Session(
                    agenda=a,
                    kind=kinds[number],
                    number=number,
                    title=kinds[number].name_uk,
                    starts_at=start,
                    format=Format.HYBRID,
                    venue="Конференц-зала обласної адміністрації",
                    facilitator=person_by_org[org_by_region[a.region_id][0].pk],
                    status=EventStatus.HELD if held else EventStatus.PLANNED,
                    minutes="Учасники обговорили питання сесії та ухвалили рішення." if held else "",
                    held_at=start + datetime.timedelta(hours=3) if held else None,
                )
            )
    sessions = Session.objects.bulk_create(sessions)
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(session=s, order=o, duration_minutes=30, title=f"Питання порядку денного {o}")
            for s in sessions
            for o in (1, 2, 3)
        ]
    )
    session_by_agenda = {(s.agenda_id, s.number): s for s in sessions}
    Attendance.objects.bulk_create(
        [
            Attendance(
                session=s,
                person=person_by_org[org.pk],
                organisation=org,
                invited_at=s.starts_at - datetime.timedelta(days=7),
                reply=Attendance.Reply.ACCEPTED,
                attended=True if s.status == EventStatus.HELD else None,
            )
            for s in sessions
            for org in org_by_region[s.agenda.region_id]
        ],
        batch_size=5000,
    )
    result.created.update(agendas=len(agendas), sessions=len(sessions))

    # -- role matrix (criterion 1) -----------------------------------------------------------------
    entries = []
    for a in agendas:
        coordinator = coordinators[region_objs.index(a.region)]
        for j, org in enumerate(org_by_region[a.region_id]):
            confirmed = j % 3 != 2
            leader = j < 3
            entries.append(
                RoleMatrixEntry(
                    agenda=a,
                    organisation=org,
                    representative=person_by_org[org.pk],
                    current_role_type=ROLES[j % len(ROLES)],
                    current_role="Бере участь у заходах регіональної стратегії.",
                    refined_role_type=ROLES[(j + 3) % len(ROLES)],
                    refined_role="Відповідає за напрям у спільному порядку денному.",
                    zone_of_responsibility=f"Напрям {j % len(DOMAINS) + 1}: координація учасників",
                    sphere_of_interest="Нові ринки, кадри, спільні проєкти",
                    commitment="Час фахівців та експертиза для робочих команд",
                    commitment_level=CommitmentLevel.values[j % len(CommitmentLevel.values)],
                    influence=Level3.values[j % 3],
                    interest=Level3.values[(j + 1) % 3],
                    is_leader=leader,
                    leader_direction=domains[a.region_id][j] if leader else None,
                    confirmed_at=_at(data.AGENDA["window_start"] + datetime.timedelta(days=30))
                    if confirmed
                    else None,
                    confirmed_by=coordinator if confirmed else None,
                )
            )
    entries = bulk_create_with_history(entries, RoleMatrixEntry, batch_size=2000)
    entries = list(RoleMatrixEntry.objects.filter(agenda__in=agendas).only("pk", "agenda_id"))
    region_of_agenda = {a.pk: a.region_id for a in agendas}
    RoleMatrixEntry.domains.through.objects.bulk_create(
        [
            RoleMatrixEntry.domains.through(
                rolematrixentry_id=e.pk, specialisationdomain_id=domains[region_of_agenda[e.agenda_id]][d].pk
            )
            for k, e in enumerate(entries)
            for d in sorted({k % 3, (k + 1) % 4})
        ],
        batch_size=5000,
    )
    result.created["role_entries"] = len(entries)

    # -- SWOT, votes, challenges (session 3) -----------------------------------------------------------
    swot = []
    for a in agendas:
        for j, org in enumerate(org_by_region[a.region_id]):
            for t in range(2):
                q = QUADRANTS[(2 * j + t) % 4]
                swot.append(
                    SwotItem(
                        agenda=a,
                        quadrant=q,
                        text_uk=SWOT_TEXT[q].format(n=2 * j + t + 1),
                        dimension=DIMENSIONS[(j + t) % len(DIMENSIONS)],
                        importance=1 + (j + t) % 5,
                        evidence_source=EvidenceSource.SESSION,
                        proposed_by=org,
                        session=session_by_agenda[(a.pk, 3)],
                        votes_count=0,
                        order=2 * j + t,
                    )
                )
    swot = SwotItem.objects.bulk_create(swot, batch_size=5000)
    users_by_region = {r.pk: rep_users[k * n : (k + 1) * n] for k, r in enumerate(region_objs)}
    votes = []
    for item in swot:
        voters = users_by_region[item.agenda.region_id]
        k = rng.randrange(0, min(4, len(voters)) + 1)
        item.votes_count = k
        votes.extend(SwotVote(item=item, user=u) for u in rng.sample(voters, k))
    SwotVote.objects.bulk_create(votes, batch_size=5000)
    SwotItem.objects.bulk_update(swot, ["votes_count"], batch_size=5000)
    challenges = Challenge.objects.bulk_create(
        [
            Challenge(
                agenda=a,
                code=f"C{c}",
                title_uk=f"Ключовий виклик {c}: розрив між освітою та потребами промисловості",
                title_en=f"Key challenge {c}: the gap between education and industry needs",
                dimension=DIMENSIONS[c % len(DIMENSIONS)],
                priority=1 + c % 3,
                rank=c,
                owner=org_by_region[a.region_id][c % n],
                status=Challenge.Status.PRIORITISED,
            )
            for a in agendas
            for c in range(1, max(1, n // 20) + 1)
        ]
    )
    result.created.update(swot_items=len(swot), swot_votes=len(votes), challenges=len(challenges))

    # -- goals with indicators (session 4) ----------------------------------------------------------------
    goals_per = max(1, n // 10)
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(
                region=a.region,
                name_uk=f"Показник цілі G{g}",
                name_en=f"Indicator of goal G{g}",
                unit=Indicator.Unit.COUNT,
            )
            for a in agendas
            for g in range(1, goals_per + 1)
        ]
    )
    challenge_by_agenda = {}
    for c in challenges:
        challenge_by_agenda.setdefault(c.agenda_id, []).append(c)
    goals = []
    k = 0
    for a in agendas:
        for g in range(1, goals_per + 1):
            owner = org_by_region[a.region_id][g % n]
            goals.append(
                Goal(
                    agenda=a,
                    challenge=challenge_by_agenda[a.pk][g % len(challenge_by_agenda[a.pk])],
                    code=f"G{g}",
                    title_uk=f"Ціль G{g}: збільшити кількість спільних проєктів",
                    title_en=f"Goal G{g}: more joint projects",
                    specific_uk="Кількість спільних проєктів бізнесу та науки в регіоні.",
                    indicator=indicators[k],
                    baseline_value=Decimal(g),
                    baseline_date=data.BASELINE_DATE,
                    target_value=Decimal(g * 3),
                    deadline=datetime.date(YEAR, 12, 31),
                    owner_org=owner,
                    owner_person=person_by_org[owner.pk],
                    achievability_note="Ресурси партнерів та обласна програма.",
                    relevance_note="Стратегія 2021–2027, ціль 1.2.",
                    domain=domains[a.region_id][g % 3],
                    status=GoalStatus.AGREED,
                )
            )
            k += 1
    bulk_create_with_history(goals, Goal, batch_size=2000)
    goals = list(Goal.objects.filter(agenda__in=agendas).order_by("agenda_id", "pk"))
    goals_by_agenda = {}
    for goal in goals:
        goals_by_agenda.setdefault(goal.agenda_id, []).append(goal)
    result.created["goals"] = len(goals)

    # -- working teams and members (session 5) ----------------------------------------------------------
    teams_per = max(3, n // 20)
    teams = [
        WorkingTeam(
            agenda=a,
            kind=TeamKind.PILOT_TEAM if t <= 3 else TeamKind.WORKING_GROUP,
            name_uk=f"Робоча команда {t}",
            name_en=f"Working team {t}",
            mandate_uk="Підготувати та реалізувати пілотний проєкт напряму.",
            domain=domains[a.region_id][(t - 1) % 3],
            status=WorkingTeam.Status.ACTIVE,
        )
        for a in agendas
        for t in range(1, teams_per + 1)
    ]
    bulk_create_with_history(teams, WorkingTeam, batch_size=2000)
    teams = list(WorkingTeam.objects.filter(agenda__in=agendas).order_by("agenda_id", "pk"))
    teams_by_agenda = {}
    for team in teams:
        teams_by_agenda.setdefault(team.agenda_id, []).append(team)
    joined = data.AGENDA["window_end"]
    memberships = []
    for a in agendas:
        a_teams = teams_by_agenda[a.pk]
        for j, org in enumerate(org_by_region[a.region_id]):
            team = a_teams[j % len(a_teams)]
            memberships.append(
                TeamMembership(
                    team=team,
                    person=person_by_org[org.pk],
                    organisation=org,
                    role=PersonRole.LEADER if j < len(a_teams) else PersonRole.MEMBER,
                    joined_on=joined,
                )
            )
    TeamMembership.objects.bulk_create(memberships, batch_size=5000)
    result.created.update(teams=len(teams), team_memberships=len(memberships))

    # -- portfolio, funding, mechanisms, action steps ---------------------------------------------------
    projects_per = max(1, n // 4)
    projects = []
    for a in agendas:
        a_teams = teams_by_agenda[a.pk]
        for p in range(1, projects_per + 1):
            pilot = p <= len(a_teams)
            projects.append(
                Project(
                    agenda=a,
                    code=f"P{p}",
                    title_uk=f"Проєкт P{p}: центр компетенцій Індустрії 4.0",
                    title_en=f"Project P{p}: Industry 4.0 competence centre",
                    summary_uk="Спільний проєкт бізнесу, науки та влади.",
                    is_pilot=pilot,
                    priority=1 + p % 3,
                    domain=domains[a.region_id][p % 3],
                    lead_org=org_by_region[a.region_id][p % n],
                    team=a_teams[p - 1] if pilot else None,
                    budget_total=Decimal(100000 * p),
                    start_date=datetime.date(YEAR, 2, 1),
                    end_date=datetime.date(YEAR, 12, 31),
                    status=[
                        ProjectStatus.IDEA,
                        ProjectStatus.CONCEPT,
                        ProjectStatus.APPROVED,
                        ProjectStatus.IN_PROGRESS,
                    ][p % 4],
                    expected_results="Центр працює, 20 підприємств пройшли аудит.",
                )
            )
    bulk_create_with_history(projects, Project, batch_size=2000)
    projects = list(Project.objects.filter(agenda__in=agendas).order_by("agenda_id", "pk"))
    Project.goals.through.objects.bulk_create(
        [
            Project.goals.through(
                project_id=p.pk,
                goal_id=goals_by_agenda[p.agenda_id][i % len(goals_by_agenda[p.agenda_id])].pk,
            )
            for i, p in enumerate(projects)
        ],
        batch_size=5000,
    )
    Project.mechanisms.through.objects.bulk_create(
        [
            Project.mechanisms.through(
                project_id=p.pk, mechanismkind_id=mechanisms[(i + m) % len(mechanisms)].pk
            )
            for i, p in enumerate(projects)
            for m in (0, 5)
        ],
        batch_size=5000,
    )
    Project.partners.through.objects.bulk_create(
        [
            Project.partners.through(
                project_id=p.pk, organisation_id=org_by_region[region_of_agenda[p.agenda_id]][(i + 1) % n].pk
            )
            for i, p in enumerate(projects)
            if n > 1
        ],
        batch_size=5000,
    )
    FundingLine.objects.bulk_create(
        [
            FundingLine(
                project=p,
                source_kind=[FundingSourceKind.OBLAST_BUDGET, FundingSourceKind.EU_PROGRAMME][f],
                source_name="Обласна програма" if f == 0 else "Interreg NEXT",
                amount=Decimal(50000 * (f + 1)),
                year=YEAR,
            )
            for p in projects
            for f in (0, 1)
        ],
        batch_size=5000,
    )
    steps = []
    for p in projects:
        if not p.is_pilot:
            continue
        a_orgs = org_by_region[region_of_agenda[p.agenda_id]]
        for s in range(1, 5):
            org = a_orgs[(p.pk + s) % n]
            steps.append(
                ActionStep(
                    project=p,
                    goal=goals_by_agenda[p.agenda_id][0],
                    number=f"{s}",
                    title_uk=f"Крок {s}: підготувати технічне завдання",
                    responsible_org=org,
                    responsible_person=person_by_org[org.pk],
                    start_date=datetime.date(YEAR, s, 1),
                    due_date=datetime.date(YEAR, s + 2, 28),
                    status=[
                        ActionStep.Status.DONE,
                        ActionStep.Status.IN_PROGRESS,
                        ActionStep.Status.PLANNED,
                        ActionStep.Status.PLANNED,
                    ][s - 1],
                    progress_pct=[100, 50, 0, 0][s - 1],
                    deliverable="Документ погоджено робочою командою.",
                )
            )
    ActionStep.objects.bulk_create(steps, batch_size=5000)
    result.created.update(projects=len(projects), action_steps=len(steps))
    return result
