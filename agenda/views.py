"""Pages of sessions 3 and 4: the SWOT board, key challenges, SMART goals, endorsements of the goal list
and portfolio, and the traceability picture.

Every look-up goes through the region the user may see (`RegionScopedMixin`), so another region's page
is a 404; too few rights is a 403. Views only read and hand form data to `agenda.services`. Lists are
read in a fixed number of queries whatever their length.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.generic import DetailView, FormView, ListView

from core.forms import parse_key
from core.pagecache import cached_page
from regions.models import Agenda, Region
from regions.rules import can_manage_region, can_participate_in_region
from regions.views import RegionScopedMixin
from stakeholders.models import Organisation

from . import criteria, services
from .canonical import canonical_diff, load_portfolios
from .criterion_goals import endorsement_states, evaluate_loaded
from .filters import ChallengeFilter, GoalFilter, SwotItemFilter
from .forms import ChallengeForm, EndorsementForm, GoalForm, SwotItemForm, error_fields
from .models import Challenge, Endorsement, Goal, GoalStatus, SwotItem, SwotQuadrant, SwotVote
from .smart import goal_smart
from .svg import column_titles, focus_on, load_trace, trace_svg

SWOT_TOP = 25  # items shown per quadrant on the whole board; one quadrant alone is paginated
SWOT_PAGE = 50
LIST_PAGE = 25
HISTORY_LIMIT = 100
READ_ONLY = ["get", "head", "options"]


# --- scoping ------------------------------------------------------------------------------------------


def scoped_agenda(request, region_slug: str, year: int) -> Agenda:
    """The agenda of a region the user may see (else 404), with its region attached."""
    region = get_object_or_404(Region.objects.visible_to(request.user), slug=region_slug)
    agenda = get_object_or_404(Agenda, region=region, year=year)
    agenda.region = region
    return agenda


def base_context(request, agenda: Agenda, section: str) -> dict:
    return {
        "region": agenda.region,
        "agenda": agenda,
        "section": section,
        "can_manage": can_manage_region(request.user, agenda.region),
        "can_participate": can_participate_in_region(request.user, agenda.region),
    }


class AgendaScopedMixin(RegionScopedMixin):
    """The agenda named by the URL's region and year, looked up through what the user may see."""

    section = ""

    def get_agenda(self) -> Agenda:
        if not hasattr(self, "_agenda"):
            region = self.get_region()
            self._agenda = get_object_or_404(Agenda, region=region, year=self.kwargs["year"])
            self._agenda.region = region
        return self._agenda

    def check_permission(self) -> None:
        """Raise PermissionDenied when the user may see the region but not do this."""

    def dispatch(self, request, *args, **kwargs):
        self.get_agenda()
        self.check_permission()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["agenda"] = self.get_agenda()
        ctx["section"] = self.section
        return ctx


def _back(request, fallback: str) -> str:
    """A same-site `next` URL from the form, else the fallback."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else fallback


# --- SWOT board -----------------------------------------------------------------------------------------


def proposer_organisations(user, agenda: Agenda):
    """Organisations the user may propose SWOT items for: the region's (coordinator) or the ones they
    represent in it."""
    region_orgs = Organisation.objects.filter(region=agenda.region).order_by("name_uk")
    if can_manage_region(user, agenda.region):
        return region_orgs
    return region_orgs.filter(people__user=user, people__is_representative=True).distinct()


def _swot_form(
    request, agenda: Agenda, quadrant: str | None, *, data=None, instance=None, organisations=None
):
    return SwotItemForm(
        data=data,
        instance=instance,
        agenda=agenda,
        organisations=organisations
        if organisations is not None
        else proposer_organisations(request.user, agenda),
        can_manage=can_manage_region(request.user, agenda.region),
        fixed_quadrant=quadrant,
        auto_id=f"id_{quadrant}_%s" if quadrant else "id_%s",
    )


def board_context(
    request, agenda: Agenda, params: QueryDict, *, only: str | None = None, forms: dict | None = None
) -> dict:
    """The quadrants of the board (or the one named by `only`), filtered by `params`.

    Queries, whatever the number of items: the items of the shown quadrants with their proposers (one,
    top SWOT_TOP per quadrant via a window function, or one page of a single quadrant), their
    challenges (one), the user's votes among them (one) and the count per quadrant (one).
    """
    filterset = SwotItemFilter(params, queryset=SwotItem.objects.filter(agenda=agenda), agenda=agenda)
    items = filterset.qs if filterset.is_valid() else SwotItem.objects.none()
    single = filterset.form.cleaned_data.get("quadrant") if filterset.is_valid() else None
    shown = [only] if only else ([single] if single else list(SwotQuadrant.values))
    counts = dict(items.order_by().values_list("quadrant").annotate(n=Count("pk")))
    ordering = [F("votes_count").desc(), F("importance").desc(), F("pk").asc()]
    # As a plain list on each item: the template then builds no related manager and queryset per item.
    challenges = Prefetch(
        "challenges",
        queryset=Challenge.objects.only("pk", "code", "title_uk", "title_en", "agenda_id"),
        to_attr="challenge_list",
    )
    page = None
    if single:
        paginator = Paginator(
            items.select_related("proposed_by").prefetch_related(challenges).order_by(*ordering), SWOT_PAGE
        )
        page = paginator.get_page(params.get("page"))
        rows = list(page.object_list)
    else:
        rows = list(
            items.filter(quadrant__in=shown)
            .annotate(position=Window(RowNumber(), partition_by=[F("quadrant")], order_by=ordering))
            .filter(position__lte=SWOT_TOP)
            .select_related("proposed_by")
            .prefetch_related(challenges)
            .order_by("quadrant", *ordering)
        )
    my_votes = set()
    if rows and request.user.is_authenticated:
        my_votes = set(
            SwotVote.objects.filter(user=request.user, item__in=[r.pk for r in rows]).values_list(
                "item_id", flat=True
            )
        )
    can_add = services.can_add_swot_item(request.user, agenda)
    organisations = proposer_organisations(request.user, agenda) if can_add else None
    proposers = None  # the proposer list, read and labelled once for the four add forms
    quadrants = []
    for code, label in SwotQuadrant.choices:
        if code not in shown:
            continue
        q_items = [r for r in rows if r.quadrant == code]
        for item in q_items:
            item.agenda = agenda
            item.my_vote = item.pk in my_votes
        form = (forms or {}).get(code)
        if form is None and can_add:
            form = _swot_form(request, agenda, code, organisations=organisations)
            field = form.fields["proposed_by"]
            if proposers is None:
                # As the field's own choices would list them, from the organisations the form has read
                # already (the choices would read them again, after counting them).
                iterator = field.choices
                empty = [("", field.empty_label)] if field.empty_label is not None else []
                proposers = empty + [iterator.choice(organisation) for organisation in organisations]
            field.choices = proposers
        quadrants.append(
            {
                "code": code,
                "label": label,
                "items": q_items,
                "count": counts.get(code, 0),
                "more": counts.get(code, 0) - len(q_items) if page is None else 0,
                "form": form,
                "form_open": bool(form is not None and form.is_bound),
            }
        )
    query = params.copy()
    board_query = query.urlencode()
    query.pop("page", None)
    return {
        **base_context(request, agenda, "swot"),
        "filter": filterset,
        "quadrants": quadrants,
        "page_obj": page,
        "single": single,
        "board_query": board_query,
        "filter_query": query.urlencode(),
        "can_add": can_add,
        "can_vote": services.can_vote_swot(request.user, agenda),
        "editable": {item.pk for item in rows if services.can_edit_swot_item(request.user, item)},
        "total": sum(counts.values()),
    }


@require_safe
@cached_page("region")
def swot_board(request, region: str, year: int):
    agenda = scoped_agenda(request, region, year)
    return render(request, "agenda/swot_board.html", board_context(request, agenda, request.GET))


def _board_url(agenda: Agenda, query: str = "", anchor: str = "") -> str:
    url = reverse("agenda:swot-board", kwargs={"region": agenda.region.slug, "year": agenda.year})
    return url + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")


def _quadrant_response(request, agenda: Agenda, quadrant: str, *, form=None, flash: str = ""):
    params = QueryDict(request.POST.get("board", ""))
    ctx = board_context(
        request, agenda, params, only=quadrant, forms={quadrant: form} if form is not None else None
    )
    ctx["quadrant"] = ctx["quadrants"][0]
    ctx["flash"] = flash
    return render(request, "agenda/swot_quadrant.html", ctx)


@require_http_methods(["GET", "HEAD", "POST"])
def swot_item_create(request, region: str, year: int):
    """Add an item. From the board with htmx: answers with the quadrant (the new item in place, or the
    form with its errors). Without JavaScript: redirects to the board, or shows this page with the errors."""
    agenda = scoped_agenda(request, region, year)
    if not services.can_add_swot_item(request.user, agenda):
        raise PermissionDenied
    quadrant = request.POST.get("quadrant") or request.GET.get("quadrant") or None
    if quadrant not in SwotQuadrant.values:
        quadrant = None
    embedded = bool(request.htmx) and quadrant is not None
    if request.method != "POST":
        form = _swot_form(request, agenda, None)
        if quadrant:
            form.initial["quadrant"] = quadrant
        return render(
            request, "agenda/swot_item_form.html", {**base_context(request, agenda, "swot"), "form": form}
        )
    form = _swot_form(request, agenda, quadrant if embedded else None, data=request.POST)
    if form.is_valid():
        try:
            item = services.swot_item_add(agenda=agenda, data=form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            error_fields(form, exc)
        else:
            if embedded:
                return _quadrant_response(request, agenda, item.quadrant, flash=_("Added to the board."))
            messages.success(request, _("The item is on the board."))
            return redirect(_board_url(agenda, request.POST.get("board", ""), f"swot-{item.pk}"))
    if embedded:
        return _quadrant_response(request, agenda, quadrant, form=form)
    return render(
        request, "agenda/swot_item_form.html", {**base_context(request, agenda, "swot"), "form": form}
    )


def _swot_item(request, agenda: Agenda, pk: int) -> SwotItem:
    item = get_object_or_404(SwotItem.objects.select_related("proposed_by", "session"), agenda=agenda, pk=pk)
    item.agenda = agenda
    return item


@require_safe
def swot_item_detail(request, region: str, year: int, pk: int):
    """One item with everything downstream of it: the challenges formulated from it, their goals,
    projects and teams."""
    agenda = scoped_agenda(request, region, year)
    item = _swot_item(request, agenda, pk)
    graph = focus_on(load_trace(agenda, include_unlinked_swot=True), f"swot-{item.pk}")
    ctx = {
        **base_context(request, agenda, "swot"),
        "item": item,
        "voted": SwotVote.objects.filter(item=item, user=request.user).exists(),
        "can_vote": services.can_vote_swot(request.user, agenda),
        "can_edit": services.can_edit_swot_item(request.user, item),
        "challenges": item.challenges.order_by("rank", "code"),
        "chain_svg": trace_svg(graph, title=_("What this item led to"), id_prefix="chain")
        if len(graph.nodes) > 1
        else None,
    }
    return render(request, "agenda/swot_item_detail.html", ctx)


@require_http_methods(["GET", "HEAD", "POST"])
def swot_item_update(request, region: str, year: int, pk: int):
    agenda = scoped_agenda(request, region, year)
    item = _swot_item(request, agenda, pk)
    if not services.can_edit_swot_item(request.user, item):
        raise PermissionDenied
    form = _swot_form(
        request, agenda, None, data=request.POST if request.method == "POST" else None, instance=item
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.swot_item_update(
                item=item,
                data=form.cleaned_data,
                version=form.cleaned_data.get("version"),
                acting_user=request.user,
            )
        except ValidationError as exc:
            error_fields(form, exc)
        else:
            messages.success(request, _("The SWOT item is saved."))
            return redirect(_board_url(agenda, anchor=f"swot-{item.pk}"))
    return render(
        request,
        "agenda/swot_item_form.html",
        {**base_context(request, agenda, "swot"), "form": form, "item": item},
    )


@require_POST
def swot_item_delete(request, region: str, year: int, pk: int):
    agenda = scoped_agenda(request, region, year)
    item = _swot_item(request, agenda, pk)
    services.swot_item_delete(item=item, acting_user=request.user)
    messages.success(request, _("The SWOT item is deleted."))
    return redirect(_board_url(agenda))


@require_POST
def swot_vote(request, region: str, year: int, pk: int):
    """Vote for an item or take the vote back (`vote=1` / `vote=0`; absent = toggle). With htmx the
    quadrant comes back re-ordered; without JavaScript the board is shown again at the item."""
    agenda = scoped_agenda(request, region, year)
    item = _swot_item(request, agenda, pk)
    wanted = {"1": True, "0": False}.get(request.POST.get("vote", ""))
    voted = services.swot_vote_set(item=item, acting_user=request.user, voted=wanted)
    if request.htmx:
        flash = _("Your vote is counted.") if voted else _("Your vote is taken back.")
        return _quadrant_response(request, agenda, item.quadrant, flash=flash)
    if request.POST.get("next"):
        return HttpResponseRedirect(_back(request, _board_url(agenda)))
    return redirect(_board_url(agenda, request.POST.get("board", ""), f"swot-{item.pk}"))


# --- challenges -----------------------------------------------------------------------------------------


class ChallengeListView(AgendaScopedMixin, ListView):
    template_name = "agenda/challenge_list.html"
    section = "swot"
    paginate_by = LIST_PAGE
    http_method_names = READ_ONLY

    def get_queryset(self):
        agenda = self.get_agenda()
        self.filterset = ChallengeFilter(
            self.request.GET, queryset=Challenge.objects.filter(agenda=agenda), agenda=agenda
        )
        return (
            self.filterset.qs.select_related("owner")
            .prefetch_related(
                Prefetch(
                    "swot_items",
                    queryset=SwotItem.objects.only("pk", "quadrant", "text_uk", "text_en", "votes_count"),
                ),
                Prefetch(
                    "goals",
                    queryset=Goal.objects.exclude(status=GoalStatus.CANCELLED).only(
                        "pk", "code", "title_uk", "title_en", "challenge_id"
                    ),
                ),
            )
            .order_by("rank", "code")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["query"] = query.urlencode()
        ctx["can_manage_challenges"] = services.can_manage_challenges(self.request.user, self.get_agenda())
        return ctx


class ChallengeDetailView(AgendaScopedMixin, DetailView):
    template_name = "agenda/challenge_detail.html"
    section = "swot"
    context_object_name = "challenge"
    http_method_names = READ_ONLY

    def get_object(self, queryset=None):
        agenda = self.get_agenda()
        challenge = get_object_or_404(
            Challenge.objects.select_related("owner"), agenda=agenda, pk=self.kwargs["pk"]
        )
        challenge.agenda = agenda
        return challenge

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        agenda, challenge = self.get_agenda(), self.object
        ctx["swot_items"] = challenge.swot_items.select_related("proposed_by").order_by(
            "quadrant", "-votes_count"
        )
        goals = list(
            challenge.goals.exclude(status=GoalStatus.CANCELLED)
            .select_related("indicator", "owner_org", "challenge")
            .prefetch_related(Prefetch("projects", queryset=_open_projects()))
            .order_by("code")
        )
        for goal in goals:
            goal.agenda = agenda
            goal.smart = goal_smart(goal)
        ctx["goals"] = goals
        ctx["can_manage_challenges"] = services.can_manage_challenges(self.request.user, agenda)
        graph = focus_on(load_trace(agenda, include_unlinked_swot=True), f"challenge-{challenge.pk}")
        ctx["chain_svg"] = trace_svg(
            graph, title=_("Where the challenge comes from and what answers it"), id_prefix="chain"
        )
        return ctx


def _open_projects():
    from projects.models import Project

    return Project.objects.active().select_related("team", "lead_org").order_by("priority", "code")


class _ChallengeFormMixin(AgendaScopedMixin):
    template_name = "agenda/challenge_form.html"
    form_class = ChallengeForm
    section = "swot"

    def check_permission(self):
        if not services.can_manage_challenges(self.request.user, self.get_agenda()):
            raise PermissionDenied

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["agenda"] = self.get_agenda()
        instance = getattr(self, "object", None)
        if instance is not None:
            kwargs["instance"] = instance
        else:
            kwargs["instance"] = Challenge(agenda=self.get_agenda())
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        items = self.request.GET.getlist("swot")
        if items and not getattr(self, "object", None):
            initial["swot_items"] = [key for i in items if (key := parse_key(i)) is not None]
        return initial

    def form_valid(self, form):
        try:
            challenge = self.save(form)
        except ValidationError as exc:
            error_fields(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Challenge %(code)s is saved.") % {"code": challenge.code})
        return redirect(
            "agenda:challenge-detail",
            region=self.get_region().slug,
            year=self.get_agenda().year,
            pk=challenge.pk,
        )


class ChallengeCreateView(_ChallengeFormMixin, FormView):
    def save(self, form):
        return services.challenge_create(
            agenda=self.get_agenda(), data=form.cleaned_data, acting_user=self.request.user
        )


class ChallengeUpdateView(_ChallengeFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        agenda = self.get_agenda()
        self.object = get_object_or_404(Challenge, agenda=agenda, pk=kwargs["pk"])
        self.object.agenda = agenda
        return super().dispatch(request, *args, **kwargs)

    def save(self, form):
        return services.challenge_update(
            challenge=self.object,
            data=form.cleaned_data,
            version=form.cleaned_data.get("version"),
            acting_user=self.request.user,
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["challenge"] = self.object
        return ctx


@require_POST
def challenge_delete(request, region: str, year: int, pk: int):
    agenda = scoped_agenda(request, region, year)
    challenge = get_object_or_404(Challenge, agenda=agenda, pk=pk)
    challenge.agenda = agenda
    services.challenge_delete(challenge=challenge, acting_user=request.user)
    messages.success(request, _("Challenge %(code)s is deleted.") % {"code": challenge.code})
    return redirect("agenda:challenge-list", region=agenda.region.slug, year=agenda.year)


# --- goals ------------------------------------------------------------------------------------------------


def _criterion(agenda: Agenda):
    return criteria.criterion(agenda, 2)


class GoalListView(AgendaScopedMixin, ListView):
    """The goal list with each goal's SMART letters and projects, and criterion 2 beside it."""

    template_name = "agenda/goal_list.html"
    section = "goals"
    paginate_by = LIST_PAGE
    http_method_names = READ_ONLY

    def get_queryset(self):
        agenda = self.get_agenda()
        self.filterset = GoalFilter(
            self.request.GET, queryset=Goal.objects.filter(agenda=agenda), agenda=agenda
        )
        return (
            self.filterset.qs.select_related("indicator", "challenge", "owner_org", "owner_person")
            .prefetch_related(Prefetch("projects", queryset=_open_projects()))
            .order_by("code")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        agenda = self.get_agenda()
        ctx["object_list"] = ctx["goal_list"] = goals = list(ctx["object_list"])
        for goal in goals:
            goal.agenda = agenda
            goal.smart = goal_smart(goal)
        ctx["filter"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["query"] = query.urlencode()
        ctx["can_manage_goals"] = services.can_manage_goals(self.request.user, agenda)
        ctx["criterion"] = _criterion(agenda)
        return ctx


class GoalDetailView(AgendaScopedMixin, DetailView):
    template_name = "agenda/goal_detail.html"
    section = "goals"
    context_object_name = "goal"
    http_method_names = READ_ONLY

    def get_object(self, queryset=None):
        agenda = self.get_agenda()
        goal = get_object_or_404(
            Goal.objects.select_related("indicator", "challenge", "owner_org", "owner_person", "domain"),
            agenda=agenda,
            pk=self.kwargs["pk"],
        )
        goal.agenda = agenda
        return goal

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        agenda, goal = self.get_agenda(), self.object
        ctx["smart"] = goal_smart(goal)
        ctx["projects"] = _open_projects().filter(goals=goal)
        ctx["swot_items"] = (
            SwotItem.objects.filter(challenges=goal.challenge).order_by("quadrant", "-votes_count")
            if goal.challenge_id
            else []
        )
        ctx["can_edit"] = services.can_edit_goal(self.request.user, goal)
        ctx["can_manage_goals"] = services.can_manage_goals(self.request.user, agenda)
        ctx["history"] = goal.history.select_related("history_user").order_by("-history_date")[:10]
        graph = focus_on(load_trace(agenda), f"goal-{goal.pk}")
        ctx["chain_svg"] = trace_svg(graph, title=_("The chain this goal belongs to"), id_prefix="chain")
        return ctx


class _GoalFormMixin(AgendaScopedMixin):
    template_name = "agenda/goal_form.html"
    form_class = GoalForm
    section = "goals"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        agenda = self.get_agenda()
        kwargs["agenda"] = agenda
        kwargs["can_manage"] = services.can_manage_goals(self.request.user, agenda)
        kwargs["instance"] = getattr(self, "object", None) or Goal(agenda=agenda)
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        challenge = self.request.GET.get("challenge", "")
        if (key := parse_key(challenge)) is not None and not getattr(self, "object", None):
            initial["challenge"] = key
        return initial

    def form_valid(self, form):
        try:
            goal = self.save(form)
        except ValidationError as exc:
            error_fields(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Goal %(code)s is saved.") % {"code": goal.code})
        return redirect(
            "agenda:goal-detail", region=self.get_region().slug, year=self.get_agenda().year, pk=goal.pk
        )


class GoalCreateView(_GoalFormMixin, FormView):
    def check_permission(self):
        if not services.can_manage_goals(self.request.user, self.get_agenda()):
            raise PermissionDenied

    def save(self, form):
        return services.goal_create(
            agenda=self.get_agenda(), data=form.cleaned_data, acting_user=self.request.user
        )


class GoalUpdateView(_GoalFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        agenda = self.get_agenda()
        self.object = get_object_or_404(
            Goal.objects.select_related("indicator"), agenda=agenda, pk=kwargs["pk"]
        )
        self.object.agenda = agenda
        return super().dispatch(request, *args, **kwargs)

    def check_permission(self):
        if not services.can_edit_goal(self.request.user, self.object):
            raise PermissionDenied

    def save(self, form):
        return services.goal_update(
            goal=self.object,
            data=form.cleaned_data,
            version=form.cleaned_data.get("version"),
            acting_user=self.request.user,
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["goal"] = self.object
        return ctx


@require_POST
def goal_delete(request, region: str, year: int, pk: int):
    agenda = scoped_agenda(request, region, year)
    goal = get_object_or_404(Goal, agenda=agenda, pk=pk)
    goal.agenda = agenda
    services.goal_delete(goal=goal, acting_user=request.user)
    messages.success(request, _("Goal %(code)s is deleted.") % {"code": goal.code})
    return redirect("agenda:goal-list", region=agenda.region.slug, year=agenda.year)


# --- endorsements -------------------------------------------------------------------------------------------


def endorsement_context(request, agenda: Agenda, form=None) -> dict:
    """Who endorsed which version, what changed since for the stale ones, and the user's own form.

    Queries: the portfolio (eight), the participants and endorsements (two), the history list (one) and
    the user's endorsable organisations (one) — none per organisation.
    """
    portfolio = load_portfolios([agenda])[agenda.pk]
    state = endorsement_states([agenda.pk], {agenda.pk: portfolio.hash})[agenda.pk]
    rows = []
    for org in state["organisations"]:
        current, latest = state["current"][org.pk], state["latest"][org.pk]
        changes = (
            canonical_diff(latest.snapshot, portfolio.content)
            if latest is not None and current is None
            else []
        )
        rows.append({"organisation": org, "current": current, "latest": latest, "changes": changes})
    mine = services.endorsable_organisations(request.user, agenda)
    pending_mine = [org for org in mine if state["current"].get(org.pk) is None]
    if form is None and pending_mine:
        form = EndorsementForm(
            agenda=agenda, organisations=pending_mine, initial={"content_hash": portfolio.hash}
        )
    history = (
        Endorsement.objects.filter(agenda=agenda)
        .select_related("organisation", "endorsed_by")
        .order_by("-created_at", "-pk")[:HISTORY_LIMIT]
    )
    return {
        **base_context(request, agenda, "endorsements"),
        "portfolio": portfolio,
        "rows": rows,
        "endorsed_count": sum(1 for r in rows if r["current"] is not None),
        "form": form if pending_mine else None,
        "mine": mine,
        "history": history,
        "criterion": evaluate_loaded(portfolio, state),
    }


@require_safe
def endorsement_list(request, region: str, year: int):
    agenda = scoped_agenda(request, region, year)
    return render(request, "agenda/endorsement_list.html", endorsement_context(request, agenda))


@require_POST
def endorsement_create(request, region: str, year: int):
    """Endorse the version the user saw (its hash comes with the form). A changed version is refused
    and the page shows the current one again."""
    agenda = scoped_agenda(request, region, year)
    mine = services.endorsable_organisations(request.user, agenda)
    if not mine:
        raise PermissionDenied
    form = EndorsementForm(request.POST, agenda=agenda, organisations=mine)
    if form.is_valid():
        try:
            services.endorsement_create(
                agenda=agenda,
                organisation=form.cleaned_data["organisation"],
                seen_hash=form.cleaned_data["content_hash"],
                comment=form.cleaned_data["comment"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(organisation)s endorsed this version of the goals and the portfolio.")
                % {"organisation": form.cleaned_data["organisation"]},
            )
        return redirect("agenda:endorsement-list", region=agenda.region.slug, year=agenda.year)
    ctx = endorsement_context(request, agenda)
    ctx["form"] = form
    return render(request, "agenda/endorsement_list.html", ctx)


@require_safe
def endorsement_detail(request, region: str, year: int, pk: int):
    """Exactly what an organisation endorsed, and what changed since."""
    agenda = scoped_agenda(request, region, year)
    endorsement = get_object_or_404(
        Endorsement.objects.select_related("organisation", "endorsed_by"), agenda=agenda, pk=pk
    )
    portfolio = load_portfolios([agenda])[agenda.pk]
    return render(
        request,
        "agenda/endorsement_detail.html",
        {
            **base_context(request, agenda, "endorsements"),
            "endorsement": endorsement,
            "is_current": endorsement.content_hash == portfolio.hash,
            "current_hash": portfolio.hash,
            "changes": canonical_diff(endorsement.snapshot, portfolio.content),
            "snapshot": endorsement.snapshot,
        },
    )


# --- traceability -----------------------------------------------------------------------------------------


@require_safe
def trace_detail(request, region: str, year: int):
    """The whole chain of the region's agenda as a picture, and as text beneath it."""
    agenda = scoped_agenda(request, region, year)
    include_all = request.GET.get("all") == "1"
    graph = load_trace(agenda, include_unlinked_swot=include_all)
    focus = request.GET.get("focus", "")
    if focus:
        if focus not in graph.nodes:
            raise Http404
        graph = focus_on(graph, focus)
    columns = [
        {
            "title": title,
            "rows": [(n, [graph.nodes[c] for c in n.children if c in graph.nodes]) for n in graph.column(i)],
        }
        for i, title in enumerate(column_titles())
    ]
    return render(
        request,
        "agenda/trace_detail.html",
        {
            **base_context(request, agenda, "trace"),
            "graph": graph,
            "svg": trace_svg(graph, title=_("From SWOT items to working teams")) if graph else None,
            "columns": columns,
            "include_all": include_all,
            "focus": focus,
            "open_nodes": [n for i in (1, 2, 3) for n in graph.column(i) if not n.children],
        },
    )
