"""Pages of the five-session workflow.

Every session page exists in two scopes: a region's sessions 2–5 under /r/<region>/sessions/… and a
programme's joint session 1 under /p/<programme>/sessions/…; the same view functions serve both, and a
`Scope` builds the URLs of the page's own scope. Objects are looked up through what the user may see
(another region is a 404); too few rights is a 403. Views only read, validate and call one service.
"""

import base64
import os
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.pagecache import cached_page
from core.text import render_markdown
from regions.models import Agenda, Material, Programme, Region
from regions.rules import can_manage_region, can_participate_in_region
from stakeholders.models import Organisation, Person

from . import importers, services
from .filters import ExternalEventFilter, MaterialFilter, SessionFilter
from .forms import (
    AcceptanceForm,
    AgendaItemForm,
    AttendanceForm,
    DecisionForm,
    EventImportForm,
    ExternalEventForm,
    InviteForm,
    MaterialForm,
    MaterialsPickForm,
    MinutesForm,
    ReasonForm,
    ReplyForm,
    SessionScheduleForm,
)
from .ics import ICS_CONTENT_TYPE, region_feed_ics, session_ics
from .models import (
    OPEN_STATUSES,
    AgendaItem,
    Attendance,
    Decision,
    DocumentAcceptance,
    EventStatus,
    ExternalEvent,
    Session,
)
from .rules import can_manage_material, can_manage_programme, can_manage_session
from .selectors import (
    build_timelines,
    cells_for,
    fill_grid,
    session_progress,
    stage_progress_many,
    tool_links,
)

PAGE_SIZE = 20
GET_POST = require_http_methods(["GET", "POST"])
SESSION_RELATED = (
    "kind",
    "agenda__region",
    "programme",
    "facilitator__organisation",
    "status_changed_by",
    "reopened_by",
)


# --- scopes -------------------------------------------------------------------------------------------


@dataclass
class Scope:
    """The region (sessions 2–5) or programme (session 1) a page belongs to."""

    region: Region | None = None
    programme: Programme | None = None

    @property
    def ns(self) -> str:
        return "sessions" if self.region is not None else "programme_sessions"

    @property
    def slug(self) -> str:
        return self.region.slug if self.region is not None else self.programme.code

    @property
    def is_programme(self) -> bool:
        return self.region is None

    def url(self, name: str, *args) -> str:
        return reverse(f"{self.ns}:{name}", args=[self.slug, *args])


def visible_region(request, slug: str) -> Region:
    return get_object_or_404(Region.objects.visible_to(request.user), slug=slug)


def visible_programme(request, code: str) -> Programme:
    """A programme one of whose regions the user may read (administrators: every programme)."""
    if request.user.is_superuser:
        return get_object_or_404(Programme, code=code)
    visible = Region.objects.visible_to(request.user)
    return get_object_or_404(Programme.objects.filter(regions__in=visible).distinct(), code=code)


def resolve_scope(request, kwargs) -> Scope:
    if "region" in kwargs:
        return Scope(region=visible_region(request, kwargs["region"]))
    return Scope(programme=visible_programme(request, kwargs["programme"]))


def get_session(request, kwargs, *, manage: bool = False) -> tuple[Scope, Session]:
    scope = resolve_scope(request, kwargs)
    queryset = Session.objects.select_related(*SESSION_RELATED)
    if scope.region is not None:
        session = get_object_or_404(queryset, pk=kwargs["pk"], agenda__region=scope.region)
    else:
        session = get_object_or_404(queryset, pk=kwargs["pk"], programme=scope.programme)
    if manage and not can_manage_session(request.user, session):
        raise PermissionDenied
    return scope, session


def scope_context(request, scope: Scope, section: str = "sessions", **extra) -> dict:
    """What every page of the scope shows: the region nav (region, can_manage, can_participate) or the
    programme header."""
    ctx = {"scope": scope, "section": section}
    if scope.region is not None:
        ctx.update(
            region=scope.region,
            can_manage=can_manage_region(request.user, scope.region),
            can_participate=can_participate_in_region(request.user, scope.region),
        )
    else:
        ctx.update(
            programme=scope.programme,
            can_manage=can_manage_programme(request.user, scope.programme),
            joint_session=Session.objects.filter(programme=scope.programme, number=1)
            .select_related("programme")
            .first(),
        )
    ctx.update(extra)
    return ctx


def form_errors(form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form (to its field when the form has one)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def with_current_version(request, obj):
    """The user's data with the version set to the current one, so that submitting again after a
    conflict replaces the other edit knowingly."""
    data = request.POST.copy()
    data["version"] = obj.version
    return data


def report(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- the session page --------------------------------------------------------------------------------


def session_page(request, scope: Scope, session: Session, *, forms: dict | None = None, status: int = 200):
    """Render the session page; `forms` carries bound forms (with errors) of an action that failed."""
    user = request.user
    can_manage = can_manage_session(user, session)
    all_attendances = list(
        session.attendances.select_related("person__user", "organisation").order_by(
            "organisation__name_uk", "person__full_name"
        )
    )
    if scope.is_programme and not user.is_superuser:
        # Session 1 gathers every region; each reader sees the people of the regions they may read.
        visible = set(Region.objects.visible_to(user).values_list("pk", flat=True))
        attendances = [
            a
            for a in all_attendances
            if a.organisation.region_id in visible or a.organisation.region_id is None
        ]
    else:
        attendances = all_attendances
    mine = next((a for a in all_attendances if a.person.user_id == user.pk), None)
    replies = {value: sum(1 for a in attendances if a.reply == value) for value in Attendance.Reply.values}
    forms = forms or {}
    ctx = scope_context(
        request,
        scope,
        session=session,
        can_manage_session=can_manage,
        items=list(session.items.all()),
        attendances=attendances,
        attended_count=sum(1 for a in attendances if a.attended),
        replies=replies,
        my_attendance=mine,
        reply_form=forms.get("reply")
        or ReplyForm(initial={"reply": mine.reply if mine and mine.reply != "none" else None}),
        decisions=list(session.decisions.select_related("responsible_org")),
        materials=list(session.materials.select_related("region", "programme")),
        progress=session_progress(session),
        blockers=services.held_blockers(session, attendances=all_attendances) if session.is_open else [],
        minutes_html=render_markdown(session.minutes),
        postpone_form=forms.get("postpone") or ReasonForm(prefix="postpone"),
        cancel_form=forms.get("cancel") or ReasonForm(prefix="cancel"),
        reopen_form=forms.get("reopen") or ReasonForm(prefix="reopen"),
        open_form=next(iter(forms), ""),
        actions={
            "confirm": session.status in (EventStatus.IDEA, EventStatus.PLANNED)
            and session.starts_at is not None,
            "hold": session.is_open,
            "postpone": session.is_open,
            "cancel": session.status in (*OPEN_STATUSES, EventStatus.POSTPONED),
            "reopen": session.status in (EventStatus.HELD, EventStatus.CANCELLED, EventStatus.POSTPONED),
        },
        editable=session.status not in (EventStatus.HELD, EventStatus.CANCELLED),
    )
    if scope.is_programme:
        regions = list(
            Region.objects.visible_to(user)
            .filter(programmes=session.programme)
            .order_by("name_uk")
            .distinct()
        )
        accepted = {
            a.region_id: a
            for a in DocumentAcceptance.objects.filter(session=session).select_related("accepted_by")
        }
        managed = set(Region.objects.managed_by(user).values_list("pk", flat=True))
        ctx["acceptances"] = [(r, accepted.get(r.pk), r.pk in managed) for r in regions]
        ctx["events"] = list(
            ExternalEvent.objects.filter(session=session, agenda__region__in=regions).select_related(
                "agenda__region", "stage"
            )
        )
    else:
        ctx["events"] = list(
            ExternalEvent.objects.filter(
                Q(session=session) | Q(agenda_id=session.agenda_id, stage_id=session.kind_id)
            )
            .select_related("agenda__region", "stage")
            .distinct()
        )
    return render(request, "sessions/session_detail.html", ctx, status=status)


@require_safe
def session_detail(request, pk: int, **kwargs):
    scope, session = get_session(request, {**kwargs, "pk": pk})
    return session_page(request, scope, session)


@require_safe
def session_ics_view(request, pk: int, **kwargs):
    _scope, session = get_session(request, {**kwargs, "pk": pk})
    if session.starts_at is None:
        raise Http404(_("The session has no date yet."))
    response = HttpResponse(session_ics(session), content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="session-{session.number}-{session.pk}.ics"'
    return response


def _people(session: Session):
    return (
        Person.objects.filter(organisation__in=services.session_organisations(session))
        .select_related("organisation")
        .order_by("organisation__name_uk", "full_name")
    )


@GET_POST
def session_edit(request, pk: int, **kwargs):
    scope, session = get_session(request, {**kwargs, "pk": pk}, manage=True)
    if session.status in (EventStatus.HELD, EventStatus.CANCELLED):
        messages.error(
            request,
            _("This session is %(status)s; reopen it to change it.")
            % {"status": session.get_status_display().lower()},
        )
        return redirect(scope.url("session-detail", session.pk))
    people = _people(session)
    form = SessionScheduleForm(
        request.POST or None, people=people, initial=SessionScheduleForm.initial_for(session)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(
                session=session,
                acting_user=request.user,
                version=form.cleaned_data["version"],
                notify=form.cleaned_data["notify"],
                **form.schedule(),
            )
        except ValidationError as exc:
            fresh = Session.objects.get(pk=session.pk)
            form = SessionScheduleForm(with_current_version(request, fresh), people=people)
            form.is_valid()
            form_errors(form, exc)
        else:
            messages.success(
                request, _("The session is rescheduled.") if session.starts_at else _("The session is saved.")
            )
            return redirect(scope.url("session-detail", session.pk))
    return render(
        request, "sessions/session_form.html", scope_context(request, scope, session=session, form=form)
    )


@GET_POST
def session_minutes(request, pk: int, **kwargs):
    scope, session = get_session(request, {**kwargs, "pk": pk}, manage=True)
    if session.status in (EventStatus.HELD, EventStatus.CANCELLED):
        messages.error(
            request,
            _("This session is %(status)s; reopen it to change it.")
            % {"status": session.get_status_display().lower()},
        )
        return redirect(scope.url("session-detail", session.pk))
    initial = {
        "minutes": session.minutes,
        "summary_uk": session.summary_uk,
        "summary_en": session.summary_en,
        "version": session.version,
    }
    form = MinutesForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = render_markdown(form.cleaned_data["minutes"])
        else:
            try:
                services.session_minutes_save(session=session, acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form = MinutesForm(with_current_version(request, Session.objects.get(pk=session.pk)))
                form.is_valid()
                form_errors(form, exc)
            else:
                messages.success(request, _("The minutes are saved."))
                return redirect(scope.url("session-detail", session.pk) + "#minutes")
    return render(
        request,
        "sessions/minutes_form.html",
        scope_context(request, scope, session=session, form=form, preview=preview),
    )


@GET_POST
def session_materials(request, pk: int, **kwargs):
    scope, session = get_session(request, {**kwargs, "pk": pk}, manage=True)
    available = (
        services.session_materials_scope(session).select_related("region", "programme").order_by("title")
    )
    form = MaterialsPickForm(
        request.POST or None, materials=available, initial={"materials": list(session.materials.all())}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_materials_set(
                session=session, materials=form.cleaned_data["materials"], acting_user=request.user
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The reading list is saved."))
            return redirect(scope.url("session-detail", session.pk) + "#materials")
    return render(
        request, "sessions/materials_pick.html", scope_context(request, scope, session=session, form=form)
    )


# --- status transitions ---------------------------------------------------------------------------------


@require_POST
def session_confirm(request, pk: int, **kwargs):
    scope, session = get_session(request, {**kwargs, "pk": pk}, manage=True)
    try:
        services.session_confirm(session=session, acting_user=request.user)
        messages.success(request, _("The session is confirmed."))
    except ValidationError as exc:
        report(request, exc)
    return redirect(scope.url("session-detail", session.pk))


@require_POST
def session_hold(request, pk: int, **kwargs):
    scope, session = get_session(request, {**kwargs, "pk": pk}, manage=True)
    try:
        services.session_mark_held(session=session, acting_user=request.user)
        messages.success(request, _("The session is marked held. Its record is now closed."))
    except ValidationError as exc:
        report(request, exc)
    return redirect(scope.url("session-detail", session.pk))


def _reason_action(request, kwargs, prefix: str, service, done: str):
    scope, session = get_session(request, kwargs, manage=True)
    form = ReasonForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            service(session=session, acting_user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(scope.url("session-detail", session.pk))
    session.refresh_from_db()
    return session_page(request, scope, session, forms={prefix: form})


@require_POST
def session_postpone(request, pk: int, **kwargs):
    return _reason_action(
        request, {**kwargs, "pk": pk}, "postpone", services.session_postpone, _("The session is postponed.")
    )


@require_POST
def session_cancel(request, pk: int, **kwargs):
    return _reason_action(
        request, {**kwargs, "pk": pk}, "cancel", services.session_cancel, _("The session is cancelled.")
    )


@require_POST
def session_reopen(request, pk: int, **kwargs):
    return _reason_action(
        request,
        {**kwargs, "pk": pk},
        "reopen",
        services.session_reopen,
        _("The session is reopened and planned again."),
    )


# --- agenda items -------------------------------------------------------------------------------------


@GET_POST
def agendaitem_form(request, pk: int, item: int | None = None, **kwargs):
    scope, session = get_session(request, {**kwargs, "pk": pk}, manage=True)
    instance = get_object_or_404(AgendaItem, pk=item, session=session) if item else None
    initial = {}
    if instance is not None:
        initial = {
            f: getattr(instance, f) for f in ("order", "starts_at", "duration_minutes", "title", "presenter")
        }
    form = AgendaItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_save(
                session=session, item=instance, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The agenda item is saved."))
            return redirect(scope.url("session-detail", session.pk) + "#items")
    return render(
        request,
        "sessions/agendaitem_form.html",
        scope_context(request, scope, session=session, form=form, item=instance),
    )


@require_POST
def agendaitem_delete(request, pk: int, item: int, **kwargs):
    scope, session = get_session(request, {**kwargs, "pk": pk}, manage=True)
    instance = get_object_or_404(AgendaItem, pk=item, session=session)
    try:
        services.agenda_item_delete(item=instance, acting_user=request.user)
        messages.success(request, _("The agenda item is removed."))
    except ValidationError as exc:
        report(request, exc)
    return redirect(scope.url("session-detail", session.pk) + "#items")


# --- invitations and attendance -------------------------------------------------------------------------


@GET_POST
def attendance_invite(request, pk: int, **kwargs):
    scope, session = get_session(request, {**kwargs, "pk": pk}, manage=True)
    people = _people(session)
    organisations = (
        services.session_organisations(session)
        .select_related("region")
        .order_by("region__name_uk", "name_uk")
    )
    form = InviteForm(request.POST or None, people=people, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            invited = services.attendance_invite(
                session=session,
                people=form.cleaned_data["invitees"],
                role=form.cleaned_data["role"],
                send_email=form.cleaned_data["send_email"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            without_email = [a.person.full_name for a in invited if not a.person.email]
            messages.success(request, _("Invited: %(count)d.") % {"count": len(invited)})
            if form.cleaned_data["send_email"] and without_email:
                messages.warning(
                    request,
                    _("No e-mail address, so no e-mail was sent to: %(names)s.")
                    % {"names": ", ".join(without_email)},
                )
            return redirect(scope.url("session-detail", session.pk) + "#participants")
    invited_ids = set(session.attendances.values_list("person_id", flat=True))
    groups = []
    people_by_org = {}
    for person in people:
        people_by_org.setdefault(person.organisation_id, []).append(person)
    chosen_people = {str(v) for v in form["people"].value() or []}
    chosen_orgs = {str(v) for v in form["organisations"].value() or []}
    for organisation in organisations:
        groups.append(
            {
                "organisation": organisation,
                "checked": str(organisation.pk) in chosen_orgs,
                "people": [
                    (p, p.pk in invited_ids, str(p.pk) in chosen_people)
                    for p in people_by_org.get(organisation.pk, [])
                ],
            }
        )
    return render(
        request,
        "sessions/attendance_invite.html",
        scope_context(
            request, scope, session=session, form=form, groups=groups, invited_count=len(invited_ids)
        ),
    )


@GET_POST
def attendance_mark(request, pk: int, **kwargs):
    scope, session = get_session(request, {**kwargs, "pk": pk}, manage=True)
    attendances = list(
        session.attendances.select_related("person", "organisation").order_by(
            "organisation__name_uk", "person__full_name"
        )
    )
    form = AttendanceForm(request.POST or None, attendances=attendances)
    started = bool(session.starts_at and session.starts_at <= timezone.now())
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.attendance_record(
                session=session, marks=form.marks(), acting_user=request.user
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Attendance saved (%(count)d changed).") % {"count": changed})
            return redirect(scope.url("session-detail", session.pk) + "#participants")
    return render(
        request,
        "sessions/attendance_mark.html",
        scope_context(request, scope, session=session, form=form, started=started),
    )


@require_POST
def attendance_reply(request, pk: int, **kwargs):
    """The signed-in person's own answer to the invitation."""
    scope, session = get_session(request, {**kwargs, "pk": pk})
    mine = session.attendances.select_related("person", "session").filter(person__user=request.user).first()
    if mine is None:
        raise PermissionDenied
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.attendance_reply(
                attendance=mine, reply=form.cleaned_data["reply"], acting_user=request.user
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Thank you, your reply is recorded."))
            return redirect(scope.url("session-detail", session.pk))
    return session_page(request, scope, session, forms={"reply": form})


@require_POST
def attendance_remove(request, pk: int, attendance: int, **kwargs):
    scope, session = get_session(request, {**kwargs, "pk": pk}, manage=True)
    row = get_object_or_404(Attendance.objects.select_related("person"), pk=attendance, session=session)
    try:
        services.attendance_remove(attendance=row, acting_user=request.user)
        messages.success(request, _("%(name)s is no longer invited.") % {"name": row.person.full_name})
    except ValidationError as exc:
        report(request, exc)
    return redirect(scope.url("session-detail", session.pk) + "#participants")


# --- decisions ------------------------------------------------------------------------------------------


@GET_POST
def decision_form(request, pk: int, decision: int | None = None, **kwargs):
    scope, session = get_session(request, {**kwargs, "pk": pk}, manage=True)
    instance = get_object_or_404(Decision, pk=decision, session=session) if decision else None
    initial = {}
    if instance is not None:
        initial = {
            "text": instance.text,
            "responsible_org": instance.responsible_org_id,
            "due_date": instance.due_date,
        }
    organisations = services.session_organisations(session).order_by("name_uk")
    form = DecisionForm(request.POST or None, initial=initial, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_save(
                session=session, decision=instance, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The decision is saved."))
            return redirect(scope.url("session-detail", session.pk) + "#decisions")
    return render(
        request,
        "sessions/decision_form.html",
        scope_context(request, scope, session=session, form=form, decision=instance),
    )


@require_POST
def decision_delete(request, pk: int, decision: int, **kwargs):
    scope, session = get_session(request, {**kwargs, "pk": pk}, manage=True)
    instance = get_object_or_404(Decision, pk=decision, session=session)
    try:
        services.decision_delete(decision=instance, acting_user=request.user)
        messages.success(request, _("The decision is removed."))
    except ValidationError as exc:
        report(request, exc)
    return redirect(scope.url("session-detail", session.pk) + "#decisions")


# --- session 1: acceptance of the common document (region scope) -----------------------------------------


@GET_POST
def acceptance_record(request, region: str, pk: int):
    region = visible_region(request, region)
    session = get_object_or_404(
        Session.objects.select_related("programme", "kind"), pk=pk, number=1, programme__regions=region
    )
    if not can_manage_region(request.user, region):
        raise PermissionDenied
    current = DocumentAcceptance.objects.filter(session=session, region=region).first()
    initial = {}
    if current is not None:
        answer = (
            AcceptanceForm.Answer.NOT_ACCEPTED
            if not current.accepted
            else (AcceptanceForm.Answer.RESERVATIONS if current.comments else AcceptanceForm.Answer.ACCEPTED)
        )
        initial = {"answer": answer, "comments": current.comments}
    form = AcceptanceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.acceptance_record(
                session=session,
                region=region,
                accepted=form.cleaned_data["accepted"],
                comments=form.cleaned_data["comments"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The region's answer on the common document is recorded."))
            return redirect(session.get_absolute_url() + "#acceptance")
    ctx = scope_context(request, Scope(region=region), session=session, form=form, current=current)
    return render(request, "sessions/acceptance_form.html", ctx)


# --- lists and timelines ------------------------------------------------------------------------------


def paginate(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@require_safe
def session_list(request, region: str):
    """The region's sessions (its agendas' 2–5 and its programmes' joint 1). Queries: region, rules,
    filter choices, count, one page of sessions with their counts — whatever the number of rows."""
    scope = Scope(region=visible_region(request, region))
    ids = Session.objects.for_region(scope.region).values("pk")
    queryset = (
        Session.objects.filter(pk__in=ids)
        .select_related("kind", "agenda__region", "programme", "facilitator")
        .annotate(
            invited=Count("attendances", distinct=True),
            accepted=Count(
                "attendances", filter=Q(attendances__reply=Attendance.Reply.ACCEPTED), distinct=True
            ),
            attended=Count("attendances", filter=Q(attendances__attended=True), distinct=True),
        )
        .order_by(
            F("agenda__year").desc(nulls_last=True), "number", F("starts_at").desc(nulls_last=True), "pk"
        )
    )
    filterset = SessionFilter(request.GET or None, queryset=queryset, region=scope.region)
    page = paginate(request, filterset.qs)
    return render(
        request, "sessions/session_list.html", scope_context(request, scope, filter=filterset, page=page)
    )


def _year(request, years: list[int]) -> int | None:
    try:
        wanted = int(request.GET.get("year", ""))
    except ValueError:
        wanted = None
    return wanted if wanted in years else (years[0] if years else None)


@require_safe
@cached_page("region")
def session_timeline(request, region: str):
    """One region: the joint session 1 and sessions 2–5 against the agenda's target window, with the
    external events, overdue marks and each stage's progress (a fixed number of queries)."""
    scope = Scope(region=visible_region(request, region))
    years = list(scope.region.agendas.order_by("-year").values_list("year", flat=True))
    year = _year(request, years)
    timeline = build_timelines([scope.region], year)[0]
    unit, columns = fill_grid([timeline])
    rows = [{"session": s, "cells": cells_for(columns, timeline.window, [s])} for s in timeline.sessions]
    progress = stage_progress_many([timeline.agenda]).get(timeline.agenda.pk, {}) if timeline.agenda else {}
    for row in rows:
        row["progress"] = progress.get(row["session"].number)
        if row["progress"] is not None:
            row["progress"].tools = tool_links(row["session"].number, timeline.agenda)
    ctx = scope_context(
        request,
        scope,
        section="timeline",
        timeline=timeline,
        rows=rows,
        event_cells=cells_for(columns, timeline.window, (), timeline.events),
        columns=columns,
        unit=unit,
        years=years,
        year=year,
    )
    return render(request, "sessions/timeline.html", ctx)


@require_safe
def programme_timeline(request, programme: str):
    """Every region of the programme the user may read, side by side: sessions 1–5 of one agenda
    year against each region's window. A fixed number of queries for 1 or 40 regions."""
    scope = Scope(programme=visible_programme(request, programme))
    regions = list(
        Region.objects.filter(
            pk__in=Region.objects.visible_to(request.user).filter(programmes=scope.programme).values("pk")
        ).order_by("name_uk")
    )
    years = sorted(
        set(Agenda.objects.filter(region__in=regions).values_list("year", flat=True)), reverse=True
    )
    year = _year(request, years)
    timelines = build_timelines(regions, year, programme=scope.programme)
    unit, columns = fill_grid(timelines)
    joint = (
        Session.objects.filter(programme=scope.programme, number=1)
        .select_related("kind", "programme")
        .first()
    )
    accepted = (
        DocumentAcceptance.objects.filter(session=joint, accepted=True, region__in=regions).count()
        if joint
        else 0
    )
    ctx = scope_context(
        request,
        scope,
        section="timeline",
        timelines=timelines,
        columns=columns,
        unit=unit,
        years=years,
        year=year,
        joint=joint,
        numbers=range(1, 6),
        accepted_count=accepted,
    )
    return render(request, "sessions/programme_timeline.html", ctx)


@require_POST
def joint_session_create(request, programme: str):
    scope = Scope(programme=visible_programme(request, programme))
    if not can_manage_programme(request.user, scope.programme):
        raise PermissionDenied
    session = services.session_joint_ensure(programme=scope.programme, acting_user=request.user)
    messages.success(request, _("The joint session 1 exists; set its date and invite the regions."))
    return redirect(scope.url("session-detail", session.pk))


# --- calendar feed ------------------------------------------------------------------------------------


def _feed_session_key(region: Region) -> str:
    return f"calendar-feed-token-{region.pk}"


@require_safe
def calendarfeed_detail(request, region: str):
    region = visible_region(request, region)
    if not can_manage_region(request.user, region):
        raise PermissionDenied
    from .models import CalendarFeed

    feed = CalendarFeed.objects.filter(region=region).first()
    # The token is shown once, right after it was issued; only its hash is stored.
    token = request.session.pop(_feed_session_key(region), None)
    feed_url = (
        request.build_absolute_uri(
            reverse("sessions:calendarfeed-ics", kwargs={"region": region.slug, "token": token})
        )
        if token
        else None
    )
    ctx = scope_context(request, Scope(region=region), section="sessions", feed=feed, feed_url=feed_url)
    return render(request, "sessions/calendarfeed_detail.html", ctx)


@require_POST
def calendarfeed_rotate(request, region: str):
    region = visible_region(request, region)
    token = services.calendar_feed_rotate(region=region, acting_user=request.user)
    request.session[_feed_session_key(region)] = token
    messages.success(request, _("A new subscription link is issued; every earlier link has stopped working."))
    return redirect("sessions:calendarfeed-detail", region=region.slug)


@login_not_required
@require_safe
def calendarfeed_ics(request, region: str, token: str):
    """The region's public calendar feed, opened by its secret token (checked in constant time); a
    wrong, old or missing token is a 404 that says nothing about which."""
    region_obj = Region.objects.filter(slug=region).first()
    if region_obj is None or not services.calendar_feed_check(region=region_obj, token=token):
        raise Http404
    sessions = (
        Session.objects.filter(
            pk__in=Session.objects.for_region(region_obj).values("pk"), starts_at__isnull=False
        )
        .select_related("kind", "agenda__region", "programme")
        .prefetch_related("items")
        .order_by("starts_at")
    )
    events = (
        ExternalEvent.objects.filter(agenda__region=region_obj).select_related("stage").order_by("starts_at")
    )
    response = HttpResponse(region_feed_ics(region_obj, sessions, events), content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{region_obj.slug}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- external events ----------------------------------------------------------------------------------


def _event_agendas(region: Region):
    return Agenda.objects.filter(region=region).order_by("-year")


@require_safe
def externalevent_list(request, region: str):
    scope = Scope(region=visible_region(request, region))
    queryset = (
        ExternalEvent.objects.filter(agenda__region=scope.region)
        .select_related("agenda__region", "organiser", "stage", "session__kind")
        .order_by("-starts_at", "pk")
    )
    filterset = ExternalEventFilter(request.GET or None, queryset=queryset, region=scope.region)
    page = paginate(request, filterset.qs)
    return render(
        request,
        "sessions/externalevent_list.html",
        scope_context(request, scope, section="events", filter=filterset, page=page),
    )


def _event_form_kwargs(region: Region) -> dict:
    return {
        "organisations": Organisation.objects.filter(Q(region=region) | Q(region__isnull=True)).order_by(
            "name_uk"
        ),
        "sessions": Session.objects.filter(pk__in=Session.objects.for_region(region).values("pk"))
        .select_related("kind", "agenda")
        .order_by("-agenda__year", "number"),
    }


@GET_POST
def externalevent_form(request, region: str, pk: int | None = None):
    scope = Scope(region=visible_region(request, region))
    if not can_manage_region(request.user, scope.region):
        raise PermissionDenied
    event = (
        get_object_or_404(ExternalEvent.objects.select_related("agenda"), pk=pk, agenda__region=scope.region)
        if pk
        else None
    )
    agendas = list(_event_agendas(scope.region))
    if not agendas:
        messages.error(request, _("Open an agenda first: external events belong to an agenda."))
        return redirect(scope.url("externalevent-list"))
    kwargs = _event_form_kwargs(scope.region)
    initial = ExternalEventForm.initial_for(event) if event else {}
    if event:
        initial["version"] = event.version
    form = ExternalEventForm(request.POST or None, initial=initial, **kwargs)
    agenda = event.agenda if event else agendas[0]
    if request.method == "POST" and not event:
        chosen = request.POST.get("agenda")
        agenda = next((a for a in agendas if str(a.pk) == chosen), agendas[0])
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.external_event_save(
                agenda=agenda,
                event=event,
                version=form.cleaned_data.get("version"),
                acting_user=request.user,
                **form.values(),
            )
        except ValidationError as exc:
            if event:
                form = ExternalEventForm(
                    with_current_version(request, ExternalEvent.objects.get(pk=event.pk)), **kwargs
                )
                form.is_valid()
            form_errors(form, exc)
        else:
            messages.success(request, _("The event “%(title)s” is saved.") % {"title": saved.title})
            return redirect(scope.url("externalevent-list") + f"#event-{saved.pk}")
    ctx = scope_context(
        request, scope, section="events", form=form, event=event, agendas=agendas, agenda=agenda
    )
    return render(request, "sessions/externalevent_form.html", ctx)


@require_POST
def externalevent_delete(request, region: str, pk: int):
    scope = Scope(region=visible_region(request, region))
    event = get_object_or_404(
        ExternalEvent.objects.select_related("agenda__region"), pk=pk, agenda__region=scope.region
    )
    services.external_event_delete(event=event, acting_user=request.user)
    messages.success(request, _("The event “%(title)s” is removed.") % {"title": event.title})
    return redirect(scope.url("externalevent-list"))


@GET_POST
def externalevent_import(request, region: str):
    """Upload an .ics or .csv file, see every row with its errors, then confirm: the file travels back
    in the confirm form and is read and checked again, and only then are the valid rows written."""
    scope = Scope(region=visible_region(request, region))
    if not can_manage_region(request.user, scope.region):
        raise PermissionDenied
    agendas = _event_agendas(scope.region)
    if not agendas.exists():
        messages.error(request, _("Open an agenda first: external events belong to an agenda."))
        return redirect(scope.url("externalevent-list"))
    form = EventImportForm(request.POST or None, request.FILES or None, agendas=agendas)
    rows, payload, file_error = None, None, None
    if request.method == "POST" and form.is_valid():
        agenda = form.cleaned_data["agenda"]
        try:
            rows = importers.parse(
                form.cleaned_data["content"],
                filename=form.cleaned_data.get("filename") or "",
                agenda=agenda,
                defaults=form.defaults(),
            )
        except importers.ImportFileError as exc:
            file_error = str(exc)
            form.add_error("file", file_error)
        else:
            if "confirm" in request.POST and form.cleaned_data.get("payload"):
                counts = services.external_events_import(agenda=agenda, rows=rows, acting_user=request.user)
                messages.success(
                    request,
                    _(
                        "Import finished: %(create)d added, %(update)d updated, %(skip)d duplicates skipped, %(error)d rows with errors left out."
                    )
                    % counts,
                )
                return redirect(scope.url("externalevent-list"))
            services.external_events_plan(agenda=agenda, rows=rows)
            payload = base64.b64encode(form.cleaned_data["content"]).decode()
    ctx = scope_context(
        request,
        scope,
        section="events",
        form=form,
        rows=rows,
        payload=payload,
        valid_count=sum(1 for r in rows or [] if r.ok and r.action != "skip"),
        error_count=sum(1 for r in rows or [] if not r.ok),
    )
    return render(request, "sessions/externalevent_import.html", ctx)


# --- materials library ----------------------------------------------------------------------------------


def _materials_queryset(scope: Scope):
    if scope.region is not None:
        return Material.objects.filter(Q(region=scope.region) | Q(programme__regions=scope.region)).distinct()
    return Material.objects.filter(programme=scope.programme)


@require_safe
def material_list(request, **kwargs):
    """The library: the region's reports and materials plus its programmes' (or the programme's own),
    with the sessions each prepares. Queries: scope, rules, count, a page, its sessions."""
    scope = resolve_scope(request, kwargs)
    queryset = (
        Material.objects.filter(pk__in=_materials_queryset(scope).values("pk"))
        .select_related("region", "programme")
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=Session.objects.select_related("kind", "agenda__region", "programme").order_by(
                    "number"
                ),
            )
        )
        .order_by("-created_at", "title")
    )
    filterset = MaterialFilter(request.GET or None, queryset=queryset)
    page = paginate(request, filterset.qs)
    managed_programmes = set()
    if scope.region is not None:
        managed_programmes = {
            p.pk for p in scope.region.programmes.all() if can_manage_programme(request.user, p)
        }
    ctx = scope_context(
        request,
        scope,
        section="materials",
        filter=filterset,
        page=page,
        managed_programmes=managed_programmes,
    )
    return render(request, "sessions/material_list.html", ctx)


def _owned_material(request, scope: Scope, pk: int) -> Material:
    """A material the scope owns (not one it only borrows from a programme), for changing it."""
    if scope.region is not None:
        material = get_object_or_404(
            Material.objects.select_related("region", "programme"), pk=pk, region=scope.region
        )
    else:
        material = get_object_or_404(
            Material.objects.select_related("region", "programme"), pk=pk, programme=scope.programme
        )
    if not can_manage_material(request.user, material):
        raise PermissionDenied
    return material


@GET_POST
def material_form(request, pk: int | None = None, **kwargs):
    scope = resolve_scope(request, kwargs)
    material = _owned_material(request, scope, pk) if pk else None
    if material is None and not (
        can_manage_region(request.user, scope.region)
        if scope.region is not None
        else can_manage_programme(request.user, scope.programme)
    ):
        raise PermissionDenied
    initial = (
        {f: getattr(material, f) for f in ("title", "kind", "language", "url", "description")}
        if material
        else {"language": "uk"}
    )
    form = MaterialForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        has_file=bool(material and material.file),
    )
    if request.method == "POST" and form.is_valid():
        owner = (
            {}
            if material
            else ({"region": scope.region} if scope.region is not None else {"programme": scope.programme})
        )
        try:
            saved = services.material_save(
                material=material, acting_user=request.user, **owner, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” is in the library.") % {"title": saved.title})
            return redirect(scope.url("material-list"))
    return render(
        request,
        "sessions/material_form.html",
        scope_context(request, scope, section="materials", form=form, material=material),
    )


@require_POST
def material_delete(request, pk: int, **kwargs):
    scope = resolve_scope(request, kwargs)
    material = _owned_material(request, scope, pk)
    services.material_delete(material=material, acting_user=request.user)
    messages.success(request, _("“%(title)s” is removed from the library.") % {"title": material.title})
    return redirect(scope.url("material-list"))


@require_safe
def material_file(request, pk: int, **kwargs):
    """The uploaded file, to readers of the scope only (media files are never served publicly)."""
    scope = resolve_scope(request, kwargs)
    material = get_object_or_404(_materials_queryset(scope), pk=pk)
    if not material.file:
        raise Http404
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(material.file.name))
