"""Pages of the stakeholder directory and of the role matrix (success criterion 1).

Every look-up goes through the regions the user may see (`Region.objects.visible_to`), so another
region's object is a 404; too few rights is a 403. Lists are fetched with their relations in a fixed
number of queries. The role matrix is edited a row at a time with htmx; every htmx request has a plain
form/redirect twin, so the pages work without JavaScript.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from accounts.models import User
from agenda import criteria
from core.pagecache import cached_page
from regions.models import Agenda, Region, SpecialisationDomain
from regions.rules import can_manage_region, can_participate_in_region, represented_organisations, represents
from regions.views import RegionScopedMixin

from . import importers, services
from .filters import OrganisationFilter, RoleEntryFilter
from .forms import (
    AddOrganisationsForm,
    DirectoryImportConfirmForm,
    DirectoryImportForm,
    LeaderForm,
    OrganisationForm,
    PersonForm,
    RoleEntryForm,
    domain_queryset,
)
from .models import Helix, Organisation, OrganisationKind, Person, RoleMatrixEntry

DIRECTORY_PAGE_SIZE = 25
MATRIX_PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- look-ups ---------------------------------------------------------------------------------------


def _region(request, slug: str) -> Region:
    return get_object_or_404(Region.objects.visible_to(request.user), slug=slug)


def _managed_region(request, slug: str) -> Region:
    region = _region(request, slug)
    if not can_manage_region(request.user, region):
        raise PermissionDenied
    return region


def _agenda(region: Region, year: int) -> Agenda:
    agenda = get_object_or_404(Agenda, region=region, year=year)
    agenda.region = region  # already loaded: no query when the agenda's region is read
    return agenda


def _entry(agenda: Agenda, pk: int) -> RoleMatrixEntry:
    entry = get_object_or_404(
        RoleMatrixEntry.objects.filter(agenda=agenda).with_related(),
        pk=pk,
    )
    entry.agenda = agenda
    return entry


def _base_context(request, region: Region, **extra) -> dict:
    return {
        "region": region,
        "can_manage": can_manage_region(request.user, region),
        "can_participate": can_participate_in_region(request.user, region),
        **extra,
    }


def _decorate(entries, user, agenda: Agenda, can_manage: bool) -> list[RoleMatrixEntry]:
    """Per-row flags for the templates, from the user's cached standing (no query)."""
    entries = list(entries)
    for entry in entries:
        entry.agenda = agenda
        if entry.organisation.region_id == agenda.region_id:
            entry.organisation.region = agenda.region  # for its URL, without a query per row
        own = represents(user, entry.organisation_id)
        entry.is_own = own
        entry.can_edit = can_manage or own
        entry.can_confirm = own and not entry.is_confirmed
    return entries


def _matrix_url(agenda: Agenda, anchor: str = "") -> str:
    url = reverse("stakeholders:role-entry-list", kwargs={"region": agenda.region.slug, "year": agenda.year})
    return f"{url}#{anchor}" if anchor else url


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _wants(request, default: str = "xlsx") -> str:
    fmt = request.GET.get("format", default)
    return fmt if fmt in ("csv", "xlsx") else default


# -- the directory ---------------------------------------------------------------------------------


class ManagerRequiredMixin(RegionScopedMixin):
    """Region first (another region is a 404), then the right to manage it (else 403)."""

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_region(request.user, self.get_region()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _newest_agenda(region: Region) -> Agenda | None:
    agenda = region.agendas.order_by("-year").first()
    if agenda is not None:
        agenda.region = region
    return agenda


def _directory_queryset(request, region: Region, agenda: Agenda | None):
    filterset = OrganisationFilter(
        request.GET or None,
        queryset=Organisation.objects.for_region(region),
        agenda=agenda,
        request=request,
    )
    return filterset, filterset.qs.order_by("name_uk", "pk")


@method_decorator(cached_page("region"), name="dispatch")
class OrganisationListView(RegionScopedMixin, ListView):
    """The region's stakeholder directory, filtered and paginated. Queries: the page of organisations,
    its count, their people and their rows in the newest agenda — whatever the number of rows."""

    template_name = "stakeholders/organisation_list.html"
    context_object_name = "organisations"
    paginate_by = DIRECTORY_PAGE_SIZE

    def get_queryset(self):
        region = self.get_region()
        self.agenda = _newest_agenda(region)
        self.filterset, queryset = _directory_queryset(self.request, region, self.agenda)
        rows = (
            RoleMatrixEntry.objects.filter(agenda=self.agenda)
            if self.agenda
            else RoleMatrixEntry.objects.none()
        )
        return queryset.prefetch_related(
            Prefetch("people", queryset=Person.objects.order_by("-is_representative", "full_name")),
            Prefetch("role_entries", queryset=rows, to_attr="agenda_rows"),
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for org in ctx["organisations"]:
            org.agenda_row = org.agenda_rows[0] if org.agenda_rows else None
        counts = dict(
            Organisation.objects.for_region(self.get_region())
            .values_list("helix")
            .annotate(n=Count("pk"))
            .order_by()
        )
        ctx.update(
            filterset=self.filterset,
            agenda=self.agenda,
            section="stakeholders",
            helix=[(code, label, counts.get(code, 0)) for code, label in Helix.choices],
            total=sum(counts.values()),
            is_filtered=any(v for k, v in self.request.GET.items() if k != "page"),
        )
        return ctx


class OrganisationDetailView(RegionScopedMixin, DetailView):
    template_name = "stakeholders/organisation_detail.html"
    context_object_name = "organisation"

    def get_object(self, queryset=None):
        region = self.get_region()
        org = get_object_or_404(
            Organisation.objects.for_region(region).select_related("parent"), pk=self.kwargs["pk"]
        )
        org.region = region
        return org

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        org = self.object
        ctx["people"] = org.people.select_related("user").order_by("-is_representative", "full_name")
        ctx["units"] = org.units.order_by("name_uk")
        ctx["rows"] = org.role_entries.select_related("agenda", "leader_direction").order_by("-agenda__year")
        ctx["represents"] = represents(self.request.user, org.pk)
        ctx["section"] = "stakeholders"
        return ctx


class OrganisationCreateView(ManagerRequiredMixin, CreateView):
    template_name = "stakeholders/organisation_form.html"
    form_class = OrganisationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "region": self.get_region()}

    def form_valid(self, form):
        try:
            org = services.organisation_create(
                region=self.get_region(), data=form.cleaned_data, acting_user=self.request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s is added to the directory.") % {"name": org.name})
        return redirect(org.get_absolute_url())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "section": "stakeholders"}


class OrganisationUpdateView(ManagerRequiredMixin, UpdateView):
    template_name = "stakeholders/organisation_form.html"
    form_class = OrganisationForm
    context_object_name = "organisation"

    def get_object(self, queryset=None):
        region = self.get_region()
        org = get_object_or_404(Organisation.objects.for_region(region), pk=self.kwargs["pk"])
        org.region = region
        return org

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "region": self.get_region()}

    def form_valid(self, form):
        try:
            org = services.organisation_update(
                organisation=self.object, data=form.cleaned_data, acting_user=self.request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s is saved.") % {"name": org.name})
        return redirect(org.get_absolute_url())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "section": "stakeholders"}


class PersonCreateView(ManagerRequiredMixin, CreateView):
    template_name = "stakeholders/person_form.html"
    form_class = PersonForm

    def get_organisation(self) -> Organisation:
        if not hasattr(self, "_organisation"):
            region = self.get_region()
            self._organisation = get_object_or_404(
                Organisation.objects.for_region(region), pk=self.kwargs["pk"]
            )
            self._organisation.region = region
        return self._organisation

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organisation": self.get_organisation()}

    def form_valid(self, form):
        org = self.get_organisation()
        try:
            person = services.person_create(
                organisation=org, data=form.cleaned_data, acting_user=self.request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(name)s is added to %(organisation)s.")
            % {"name": person.full_name, "organisation": org.name},
        )
        return redirect(org.get_absolute_url())

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "organisation": self.get_organisation(),
            "section": "stakeholders",
        }


class PersonUpdateView(ManagerRequiredMixin, UpdateView):
    template_name = "stakeholders/person_form.html"
    form_class = PersonForm
    context_object_name = "person"

    def get_object(self, queryset=None):
        region = self.get_region()
        person = get_object_or_404(
            Person.objects.for_region(region).select_related("organisation"), pk=self.kwargs["pk"]
        )
        person.organisation.region = region
        return person

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organisation": self.object.organisation}

    def form_valid(self, form):
        try:
            person = services.person_update(
                person=self.object, data=form.cleaned_data, acting_user=self.request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s is saved.") % {"name": person.full_name})
        return redirect(person.organisation.get_absolute_url())

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "organisation": self.object.organisation,
            "section": "stakeholders",
        }


# -- import and export --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def directory_import(request, region: str):
    """Step 1: upload a file. A valid upload is answered with the preview (step 2): every row with what
    is wrong with it; nothing is written until the coordinator confirms."""
    region = _managed_region(request, region)
    form = DirectoryImportForm(
        request.POST or None, request.FILES or None, initial={"what": importers.ORGANISATIONS}
    )
    if request.method == "POST" and form.is_valid():
        try:
            preview = services.directory_import_preview(
                region=region,
                what=form.cleaned_data["what"],
                uploaded_file=form.cleaned_data["file"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            confirm = DirectoryImportConfirmForm(initial={"payload": preview.table.sign(region)})
            return render(
                request,
                "stakeholders/directory_import_preview.html",
                _base_context(request, region, preview=preview, confirm=confirm, section="stakeholders"),
            )
    return render(
        request,
        "stakeholders/directory_import.html",
        _base_context(
            request,
            region,
            form=form,
            columns=importers.COLUMNS,
            required=importers.REQUIRED_COLUMNS,
            section="stakeholders",
        ),
    )


def _import_table(request, region: Region) -> importers.Table | None:
    form = DirectoryImportConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The preview could not be read; upload the file again."))
        return None
    try:
        return importers.Table.unsign(form.cleaned_data["payload"], region)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None


@require_POST
def directory_import_commit(request, region: str):
    """Step 3: import the valid rows of the confirmed preview and report the rest, row by row."""
    region = _managed_region(request, region)
    table = _import_table(request, region)
    if table is None:
        return redirect("stakeholders:directory-import", region=region.slug)
    result = services.directory_import_commit(
        region=region, what=table.what, table=table, acting_user=request.user
    )
    if result.created:
        messages.success(
            request,
            ngettext("%(count)d row imported.", "%(count)d rows imported.", len(result.created))
            % {"count": len(result.created)},
        )
    if result.rejected:
        messages.warning(
            request,
            ngettext(
                "%(count)d row was not imported; see the reasons below.",
                "%(count)d rows were not imported; see the reasons below.",
                len(result.rejected),
            )
            % {"count": len(result.rejected)},
        )
    return render(
        request,
        "stakeholders/directory_import_result.html",
        _base_context(
            request,
            region,
            result=result,
            columns=table.columns,
            # The error report of the result page holds the rows not imported only (the imported ones
            # would now read as duplicates).
            confirm=DirectoryImportConfirmForm(
                initial={
                    "payload": importers.Table(
                        what=table.what,
                        columns=table.columns,
                        rows=[(row.line, row.raw) for row in result.rejected],
                        ignored=table.ignored,
                    ).sign(region)
                }
            ),
            section="stakeholders",
        ),
    )


@require_POST
def directory_import_errors(request, region: str):
    """The rows of a preview that cannot be imported, as CSV: their line, what is wrong, and the cells as
    they were — to fix and upload again."""
    region = _managed_region(request, region)
    table = _import_table(request, region)
    if table is None:
        return redirect("stakeholders:directory-import", region=region.slug)
    preview = importers.check_rows(region=region, what=table.what, table=table)
    headers = ["line", "errors", *table.columns]
    rows = [
        [row.line, " ".join(row.errors), *[row.raw.get(c, "") for c in table.columns]]
        for row in preview.invalid
    ]
    return _attachment(
        importers.to_csv(headers, rows), f"{region.slug}-{table.what}-errors.csv", "text/csv; charset=utf-8"
    )


@require_safe
def directory_import_template(request, region: str):
    """An empty workbook with the import's columns, and a sheet of the accepted codes."""
    region = _managed_region(request, region)
    what = request.GET.get("what", importers.ORGANISATIONS)
    if what not in importers.COLUMNS:
        what = importers.ORGANISATIONS
    codes = [["kind", code, str(label)] for code, label in OrganisationKind.choices]
    codes += [["helix", code, str(label)] for code, label in Helix.choices]
    codes += [["size", code, str(label)] for code, label in Organisation.Size.choices]
    codes += [["preferred_language", "uk", _("Ukrainian")], ["preferred_language", "en", _("English")]]
    content = importers.to_xlsx(
        [
            (what, list(importers.COLUMNS[what]), []),
            (_("Codes"), [_("Column"), _("Code"), _("Meaning")], codes),
        ]
    )
    return _attachment(content, f"{region.slug}-{what}-template.xlsx", XLSX)


@require_safe
def directory_export(request, region: str):
    """The directory (as filtered on its page) in the import format: XLSX with a sheet of organisations
    and one of their people, or CSV of one of them (`what=people`). Coordinators only: it holds
    contact details."""
    region = _managed_region(request, region)
    agenda = _newest_agenda(region)
    _filterset, organisations = _directory_queryset(request, region, agenda)
    organisations = list(organisations)
    people = (
        Person.objects.filter(organisation__in=organisations)
        .select_related("organisation")
        .order_by("organisation__name_uk", "full_name")
    )
    stamp = timezone.localdate().isoformat()
    if _wants(request) == "csv":
        if request.GET.get("what") == importers.PEOPLE:
            headers, rows = importers.people_rows(people)
            name = f"{region.slug}-people-{stamp}.csv"
        else:
            headers, rows = importers.organisation_rows(organisations)
            name = f"{region.slug}-organisations-{stamp}.csv"
        return _attachment(importers.to_csv(headers, rows), name, "text/csv; charset=utf-8")
    content = importers.to_xlsx(
        [
            (importers.ORGANISATIONS, *importers.organisation_rows(organisations)),
            (importers.PEOPLE, *importers.people_rows(people)),
        ]
    )
    return _attachment(content, f"{region.slug}-directory-{stamp}.xlsx", XLSX)


# -- the role matrix --------------------------------------------------------------------------------


@require_safe
def role_entry_latest(request, region: str):
    """The role matrix of the region's newest agenda (the region menu links here)."""
    region = _region(request, region)
    agenda = _newest_agenda(region)
    if agenda is None:
        messages.info(request, _("This region has no common agenda yet, so no role matrix either."))
        return redirect(region.get_absolute_url())
    return redirect(_matrix_url(agenda))


def _matrix_context(request, region: Region, agenda: Agenda) -> dict:
    """What the matrix page shows around the rows: criterion 1 and the counts. Three queries."""
    counts = agenda.role_entries.aggregate(
        total=Count("pk"),
        confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
        leaders=Count("pk", filter=Q(is_leader=True)),
    )
    return {
        "criterion": criteria.criterion(agenda, 1),
        "counts": counts,
        "pending_count": counts["total"] - counts["confirmed"],
    }


@require_safe
@cached_page("region")
def role_entry_list(request, region: str, year: int):
    """The role matrix of one agenda (seed §5, extended): who has confirmed, what is missing, criterion
    1. The user's own rows (a representative's) are pinned on top, under `#org-<organisation id>` (where
    an invitation lands). A fixed number of queries whatever the number of rows."""
    region = _region(request, region)
    agenda = _agenda(region, year)
    ctx = _base_context(request, region, agenda=agenda, section="roles")
    filterset = RoleEntryFilter(request.GET or None, queryset=agenda.role_entries.all(), request=request)
    rows = filterset.qs.with_related().order_by("organisation__name_uk", "pk")
    page = Paginator(rows, MATRIX_PAGE_SIZE).get_page(request.GET.get("page"))
    # The user's own rows, by the organisations their cached standing says they represent: no query for
    # a coordinator, and no join through people + DISTINCT (whose planning alone took 5-7 ms).
    own_organisations = represented_organisations(request.user)
    own = (
        RoleMatrixEntry.objects.filter(agenda=agenda, organisation_id__in=own_organisations)
        .with_related()
        .order_by("organisation__name_uk")
        if own_organisations
        else RoleMatrixEntry.objects.none()
    )
    ctx.update(
        _matrix_context(request, region, agenda),
        filterset=filterset,
        page_obj=page,
        entries=_decorate(page.object_list, request.user, agenda, ctx["can_manage"]),
        own_entries=_decorate(own, request.user, agenda, ctx["can_manage"]),
        is_filtered=filterset.is_bound and any(v for k, v in request.GET.items() if k != "page"),
    )
    return render(request, "stakeholders/role_entry_list.html", ctx)


@require_safe
def role_entry_export(request, region: str, year: int):
    """The role matrix (as filtered on its page) as XLSX or CSV, headings in the reader's language."""
    region = _region(request, region)
    agenda = _agenda(region, year)
    filterset = RoleEntryFilter(request.GET or None, queryset=agenda.role_entries.all(), request=request)
    entries = filterset.qs.with_related().order_by("organisation__name_uk", "pk")
    headers, rows = importers.role_matrix_rows(entries)
    name = f"{region.slug}-{agenda.year}-role-matrix"
    if _wants(request) == "csv":
        return _attachment(importers.to_csv(headers, rows), f"{name}.csv", "text/csv; charset=utf-8")
    return _attachment(importers.to_xlsx([(_("Role matrix"), headers, rows)]), f"{name}.xlsx", XLSX)


def _pinned(request) -> bool:
    """Whether an htmx request comes from the user's own row pinned above the matrix."""
    return bool(request.htmx) and "1" in (request.GET.get("pinned"), request.POST.get("pinned"))


def _row_response(
    request, region: Region, agenda: Agenda, entry: RoleMatrixEntry, flash: str = ""
) -> HttpResponse:
    """The htmx answer after a row changed: the row itself, plus criterion 1 and the counts swapped
    out-of-band, so the page stays true without a reload."""
    can_manage = can_manage_region(request.user, region)
    entry = _decorate([_entry(agenda, entry.pk)], request.user, agenda, can_manage)[0]
    ctx = _base_context(request, region, agenda=agenda, entry=entry, flash=flash, pinned=_pinned(request))
    ctx.update(_matrix_context(request, region, agenda))
    return render(request, "stakeholders/includes/role_row_saved.html", ctx)


@require_safe
def role_entry_detail(request, region: str, year: int, pk: int):
    """One row: for htmx the table row (used by "Cancel"), otherwise a page of its own."""
    region = _region(request, region)
    agenda = _agenda(region, year)
    ctx = _base_context(request, region, agenda=agenda, section="roles", pinned=_pinned(request))
    entry = _decorate([_entry(agenda, pk)], request.user, agenda, ctx["can_manage"])[0]
    ctx["entry"] = entry
    if request.htmx:
        return render(request, "stakeholders/includes/role_row.html", ctx)
    return render(request, "stakeholders/role_entry_detail.html", ctx)


def _display(name: str, value) -> str:
    """A field's value as people read it, for the side-by-side conflict view."""
    if value in (None, ""):
        return ""
    field = RoleMatrixEntry._meta.get_field(name)
    if name == "domains":
        return ", ".join(sorted(d.name for d in value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _comparison(form: RoleEntryForm, conflict: services.RoleEntryConflict) -> list[dict]:
    current = conflict.current
    rows = []
    for name in form.fields:
        if name == "version":
            continue
        theirs = list(current.domains.all()) if name == "domains" else getattr(current, name)
        rows.append(
            {
                "label": form.fields[name].label,
                "theirs": _display(name, theirs),
                "yours": _display(name, conflict.submitted.get(name)),
                "differs": name in conflict.fields,
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
def role_entry_update(request, region: str, year: int, pk: int):
    """Edit a row: the coordinator any row, a representative their organisation's. A stale version is
    answered with both versions side by side (409 for a full page; the htmx row shows it in place) and a
    form holding the user's values, to save over the newer version deliberately or to drop."""
    region = _region(request, region)
    agenda = _agenda(region, year)
    entry = _entry(agenda, pk)
    if not services.can_edit_role_entry(request.user, entry):
        raise PermissionDenied
    fields = services.editable_role_fields(request.user, entry)
    domains = domain_queryset(region)
    form = RoleEntryForm(request.POST or None, entry=entry, fields=fields, domains=domains)
    conflict = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in fields}
        try:
            saved = services.role_entry_update(
                entry=entry,
                data=data,
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
            )
        except services.RoleEntryConflict as exc:
            latest = exc.current.history.select_related("history_user").first()
            conflict = {
                "rows": _comparison(form, exc),
                "current": exc.current,
                "by": latest.history_user if latest else None,
                "at": latest.history_date if latest else exc.current.updated_at,
            }
            rebound = request.POST.copy()
            rebound["version"] = str(exc.current.version)
            entry = _entry(agenda, pk)
            form = RoleEntryForm(rebound, entry=entry, fields=fields, domains=domains)
            form.is_valid()
            status = 200 if request.htmx else 409
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if saved.version == entry.version:
                flash = _("Nothing changed.")
            elif entry.is_confirmed and not saved.is_confirmed:
                flash = _(
                    "Saved. The row was confirmed before; the confirmation is cleared and must be given again."
                )
            else:
                flash = _("Saved.")
            if request.htmx:
                return _row_response(request, region, agenda, saved, flash)
            messages.success(request, f"{saved.organisation.name}: {flash}")
            return redirect(_matrix_url(agenda, f"entry-{saved.pk}"))
    ctx = _base_context(
        request, region, agenda=agenda, section="roles", form=form, conflict=conflict, pinned=_pinned(request)
    )
    ctx["entry"] = _decorate([entry], request.user, agenda, ctx["can_manage"])[0]
    template = (
        "stakeholders/includes/role_row_form.html" if request.htmx else "stakeholders/role_entry_form.html"
    )
    return render(request, template, ctx, status=status)


@require_POST
def role_entry_confirm(request, region: str, year: int, pk: int):
    """The representative confirms their organisation's row as they saw it (its version)."""
    region = _region(request, region)
    agenda = _agenda(region, year)
    entry = _entry(agenda, pk)
    if not services.can_confirm_role_entry(request.user, entry):
        raise PermissionDenied
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    version = min(max(version, 0), 2**31 - 1)
    try:
        entry = services.role_entry_confirm(entry=entry, expected_version=version, acting_user=request.user)
    except ValidationError as exc:
        flash, level = " ".join(exc.messages), messages.ERROR
    else:
        flash, level = _("Confirmed. Thank you!"), messages.SUCCESS
    if request.htmx:
        return _row_response(request, region, agenda, entry, flash)
    messages.add_message(request, level, f"{entry.organisation.name}: {flash}")
    return redirect(_matrix_url(agenda, f"org-{entry.organisation_id}"))


_HISTORY_FIELDS = (
    *services.CONFIRMED_FIELDS,
    "is_leader",
    "leader_direction",
    "confirmed_at",
    "confirmed_by",
    "confirmation_cleared_reason",
)


@require_safe
def role_entry_history(request, region: str, year: int, pk: int):
    """Who changed the row, when, and what (coordinators). Five queries however long the history: the
    records, their domain snapshots, and the people, users and domains they name."""
    region = _managed_region(request, region)
    agenda = _agenda(region, year)
    entry = _entry(agenda, pk)
    records = list(entry.history.select_related("history_user").order_by("history_date", "history_id"))
    snapshot_model = apps.get_model("stakeholders", "HistoricalRoleMatrixEntry_domains")
    domains_of: dict[int, set[int]] = {r.history_id: set() for r in records}
    for history_id, domain_id in snapshot_model.objects.filter(history_id__in=list(domains_of)).values_list(
        "history_id", "specialisationdomain_id"
    ):
        domains_of[history_id].add(domain_id)
    domain_ids = set().union(*domains_of.values()) | {
        r.leader_direction_id for r in records if r.leader_direction_id
    }
    domain_names = {d.pk: d.name for d in SpecialisationDomain.objects.filter(pk__in=domain_ids)}
    people = {
        p.pk: p.full_name
        for p in Person.objects.filter(pk__in={r.representative_id for r in records if r.representative_id})
    }
    users = {
        u.pk: u.display_name
        for u in User.objects.filter(pk__in={r.confirmed_by_id for r in records if r.confirmed_by_id})
    }

    def value(record, name):
        if name == "domains":
            names = sorted(domain_names.get(i, f"#{i}") for i in domains_of[record.history_id])
            return ", ".join(names)
        if name == "representative":
            return people.get(record.representative_id, "")
        if name == "confirmed_by":
            return users.get(record.confirmed_by_id, "")
        if name == "leader_direction":
            return domain_names.get(record.leader_direction_id, "")
        raw = getattr(record, name)
        if name == "confirmed_at":
            return timezone.localtime(raw).strftime("%Y-%m-%d %H:%M") if raw else ""
        if name == "is_leader":
            return _("yes") if raw else _("no")
        return _display(name, raw)

    items = []
    previous = None
    for record in records:
        changes = []
        for name in _HISTORY_FIELDS:
            new = value(record, name)
            old = value(previous, name) if previous is not None else ""
            if new != old and (previous is not None or new):
                changes.append(
                    {"label": RoleMatrixEntry._meta.get_field(name).verbose_name, "old": old, "new": new}
                )
        items.append({"record": record, "changes": changes})
        previous = record
    items.reverse()
    ctx = _base_context(request, region, agenda=agenda, entry=entry, items=items, section="roles")
    return render(request, "stakeholders/role_entry_history.html", ctx)


@require_http_methods(["GET", "POST"])
def role_entry_create(request, region: str, year: int):
    """Add organisations of the region to the role matrix (one row each)."""
    region = _managed_region(request, region)
    agenda = _agenda(region, year)
    candidates = (
        Organisation.objects.for_region(region).exclude(role_entries__agenda=agenda).order_by("name_uk")
    )
    form = AddOrganisationsForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        created = services.role_matrix_add_organisation(
            agenda=agenda, organisations=form.cleaned_data["organisations"], acting_user=request.user
        )
        messages.success(
            request,
            ngettext(
                "%(count)d organisation joined the role matrix.",
                "%(count)d organisations joined the role matrix.",
                len(created),
            )
            % {"count": len(created)},
        )
        return redirect(_matrix_url(agenda))
    ctx = _base_context(request, region, agenda=agenda, form=form, section="roles")
    return render(request, "stakeholders/role_entry_add.html", ctx)


@require_POST
def role_entry_delete(request, region: str, year: int, pk: int):
    region = _managed_region(request, region)
    agenda = _agenda(region, year)
    entry = _entry(agenda, pk)
    services.role_matrix_remove_organisation(entry=entry, acting_user=request.user)
    messages.success(request, _("%(name)s left the role matrix.") % {"name": entry.organisation.name})
    return redirect(_matrix_url(agenda))


@require_http_methods(["GET", "POST"])
def role_entry_leaders(request, region: str, year: int):
    """Name the leader(s): one per direction, or of the whole agenda."""
    region = _managed_region(request, region)
    agenda = _agenda(region, year)
    entries = list(
        agenda.role_entries.select_related("organisation", "leader_direction").order_by(
            "organisation__name_uk", "pk"
        )
    )
    for entry in entries:
        entry.agenda = agenda
    form = LeaderForm(request.POST or None, entries=entries, domains=list(domain_queryset(region)))
    if request.method == "POST" and form.is_valid():
        try:
            count = services.role_matrix_set_leaders(
                agenda=agenda, changes=form.changes(), acting_user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if count:
                messages.success(
                    request,
                    ngettext("%(count)d row changed.", "%(count)d rows changed.", count) % {"count": count},
                )
            else:
                messages.info(request, _("Nothing changed."))
            return redirect(_matrix_url(agenda))
    ctx = _base_context(request, region, agenda=agenda, form=form, section="roles")
    return render(request, "stakeholders/role_entry_leaders.html", ctx)


@require_POST
def role_entry_remind(request, region: str, year: int):
    """E-mail the representatives of every row still waiting for confirmation."""
    region = _managed_region(request, region)
    agenda = _agenda(region, year)
    report = services.reminders_send(agenda=agenda, acting_user=request.user)

    def names(entries):
        return get_text_list([e.organisation.name for e in entries], _("and"))

    if report.queued:
        messages.success(
            request,
            ngettext(
                "Reminder sent to %(names)s.",
                "Reminders sent to %(count)d organisations: %(names)s.",
                len(report.queued),
            )
            % {"count": len(report.queued), "names": names(report.queued)},
        )
    if report.recently_reminded:
        messages.info(
            request,
            _("Reminded less than an hour ago, not again: %(names)s.")
            % {"names": names(report.recently_reminded)},
        )
    if report.without_address:
        messages.warning(
            request,
            _("No representative with an e-mail address: %(names)s. Add one in the directory.")
            % {"names": names(report.without_address)},
        )
    if not (report.queued or report.recently_reminded or report.without_address):
        messages.info(request, _("Every row is confirmed: nobody to remind."))
    return redirect(_matrix_url(agenda))
