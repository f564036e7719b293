"""Success criterion 1 — roles agreed — computed from the role matrix, never typed.

Met when the agenda's role matrix has at least one participating organisation, every row has a refined
role and a zone of responsibility, every row is confirmed in its current form (any change after a
confirmation clears it, see services.role_entry_update), and at least one leader is named. Otherwise
the result says precisely what is missing, each gap with the page where it is fixed.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from agenda.criteria import CriterionResult, Gap
from regions.models import Agenda, Region

from .models import RoleMatrixEntry

NUMBER = 1
TITLE = gettext_lazy("Roles agreed")
# How many organisation names a summary spells out before "and N more".
NAMES_IN_SUMMARY = 5


def _names(names: list[str]) -> str:
    if len(names) <= NAMES_IN_SUMMARY:
        return get_text_list(names, _("and"))
    rest = len(names) - NAMES_IN_SUMMARY
    return (
        ", ".join(names[:NAMES_IN_SUMMARY])
        + " "
        + ngettext("and %(n)d more", "and %(n)d more", rest) % {"n": rest}
    )


def _regions(agendas: Sequence[Agenda]) -> dict[int, Region]:
    """The agendas' regions: those already loaded, plus one query for the rest."""
    regions = {a.region_id: a.region for a in agendas if Agenda.region.is_cached(a)}
    missing = {a.region_id for a in agendas} - set(regions)
    if missing:
        regions.update({r.pk: r for r in Region.objects.filter(pk__in=missing)})
    return regions


def roles_agreed(agendas: Sequence[Agenda]) -> dict[int, CriterionResult]:
    """Criterion 1 for each agenda, keyed by agenda id. Two queries at most, whatever the number of
    agendas and rows: the rows (with organisation and direction) and the regions not already loaded."""
    agendas = list(agendas)
    if not agendas:
        return {}
    regions = _regions(agendas)
    rows: dict[int, list[RoleMatrixEntry]] = {a.pk: [] for a in agendas}
    entries = (
        RoleMatrixEntry.objects.filter(agenda_id__in=list(rows))
        .select_related("organisation", "leader_direction")
        .only(
            "agenda",
            "organisation",
            "leader_direction",
            "refined_role",
            "refined_role_type",
            "zone_of_responsibility",
            "confirmed_at",
            "is_leader",
            "organisation__name_uk",
            "organisation__name_en",
            "organisation__short_name",
            "leader_direction__name_uk",
            "leader_direction__name_en",
        )
        .order_by("organisation__name_uk", "pk")
    )
    for entry in entries:
        rows[entry.agenda_id].append(entry)
    return {a.pk: _result(a, regions[a.region_id], rows[a.pk]) for a in agendas}


def _result(agenda: Agenda, region: Region, entries: list[RoleMatrixEntry]) -> CriterionResult:
    kwargs = {"region": region.slug, "year": agenda.year}
    if not entries:
        return CriterionResult(
            number=NUMBER,
            title=TITLE,
            met=False,
            summary=_("No organisation has joined the role matrix yet."),
            gaps=[
                Gap(
                    _("Add the participating organisations to the role matrix."),
                    reverse("stakeholders:role-entry-create", kwargs=kwargs),
                )
            ],
        )

    total = len(entries)
    confirmed = [e for e in entries if e.is_confirmed]
    waiting = [e for e in entries if not e.is_confirmed]
    no_role = [e for e in entries if not e.has_refined_role]
    no_zone = [e for e in entries if not e.has_zone]
    leaders = [e for e in entries if e.is_leader]

    gaps: list[Gap] = []
    for entry in entries:
        missing = []
        if not entry.has_refined_role:
            missing.append(_("no refined role"))
        if not entry.has_zone:
            missing.append(_("no zone of responsibility"))
        if not entry.is_confirmed:
            missing.append(_("not confirmed"))
        if missing:
            gaps.append(
                Gap(
                    f"{entry.organisation.name}: {', '.join(missing)}",
                    reverse("stakeholders:role-entry-update", kwargs={**kwargs, "pk": entry.pk}),
                )
            )
    if not leaders:
        gaps.append(Gap(_("No leader named."), reverse("stakeholders:role-entry-leaders", kwargs=kwargs)))

    evidence = [
        ngettext(
            "%(confirmed)d of %(total)d organisation confirmed its row.",
            "%(confirmed)d of %(total)d organisations confirmed their rows.",
            total,
        )
        % {"confirmed": len(confirmed), "total": total}
    ]
    if leaders:
        described = [
            _("%(organisation)s (leads: %(direction)s)")
            % {"organisation": e.organisation.name, "direction": e.leader_direction.name}
            if e.leader_direction
            else e.organisation.name
            for e in leaders
        ]
        evidence.append(
            ngettext("Leader: %(names)s.", "Leaders: %(names)s.", len(leaders))
            % {"names": get_text_list(described, _("and"))}
        )

    if not gaps:
        summary = (
            ngettext(
                "The only organisation agreed its role",
                "All %(total)d organisations agreed their roles",
                total,
            )
            % {"total": total}
            + "; "
            + ngettext("%(n)d leader named.", "%(n)d leaders named.", len(leaders)) % {"n": len(leaders)}
        )
        return CriterionResult(number=NUMBER, title=TITLE, met=True, summary=summary, evidence=evidence)

    parts = [
        _("%(confirmed)d of %(total)d organisations confirmed")
        % {"confirmed": len(confirmed), "total": total}
    ]
    if waiting:
        parts[0] += "; " + _("waiting for: %(names)s") % {
            "names": _names([e.organisation.name for e in waiting])
        }
    if no_role:
        parts.append(
            ngettext(
                "%(n)d without a refined role",
                "%(n)d without a refined role",
                len(no_role),
            )
            % {"n": len(no_role)}
        )
    if no_zone:
        parts.append(
            ngettext(
                "%(n)d without a zone of responsibility",
                "%(n)d without a zone of responsibility",
                len(no_zone),
            )
            % {"n": len(no_zone)}
        )
    if not leaders:
        parts.append(_("no leader named"))
    return CriterionResult(
        number=NUMBER,
        title=TITLE,
        met=False,
        summary="; ".join(parts),
        evidence=evidence,
        gaps=gaps,
    )
