"""One FilterSet per list page: the directory of organisations and the role matrix."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .models import Helix, Organisation, OrganisationKind, Person, RoleMatrixEntry


class ConfirmationState:
    CONFIRMED = "confirmed"
    PENDING = "pending"
    INCOMPLETE = "incomplete"
    OUTSIDE = "outside"


YES_NO = [("yes", _("yes")), ("no", _("no"))]


def _word_query(prefix: str, word: str) -> Q:
    """An organisation's names, city or EDRPOU code contain the word."""
    return (
        Q(**{f"{prefix}name_uk__icontains": word})
        | Q(**{f"{prefix}name_en__icontains": word})
        | Q(**{f"{prefix}short_name__icontains": word})
        | Q(**{f"{prefix}city__icontains": word})
        | Q(**{f"{prefix}edrpou__icontains": word})
    )


class OrganisationFilter(django_filters.FilterSet):
    """The region's directory. `leader` and `state` refer to the role matrix of `agenda` (the newest
    agenda of the region, given by the view); without an agenda they filter nothing."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=OrganisationKind.choices, empty_label=_("any kind")
    )
    helix = django_filters.ChoiceFilter(
        label=_("Helix side"), choices=Helix.choices, empty_label=_("any side")
    )
    leader = django_filters.ChoiceFilter(
        label=_("Leader"), choices=YES_NO, method="filter_leader", empty_label=_("leader or not")
    )
    state = django_filters.ChoiceFilter(
        label=_("Role matrix"),
        choices=[
            (ConfirmationState.CONFIRMED, _("confirmed")),
            (ConfirmationState.PENDING, _("waiting for confirmation")),
            (ConfirmationState.OUTSIDE, _("not in the role matrix")),
        ],
        method="filter_state",
        empty_label=_("any state"),
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "helix", "leader", "state"]

    def __init__(self, *args, agenda=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.agenda = agenda

    def filter_text(self, queryset, name, value):
        """Every word in the organisation's names, city or code — or in one of its people's name or
        e-mail address."""
        words = value.split()
        if not words:
            return queryset
        own = Q()
        people = Q()
        for word in words:
            own &= _word_query("", word)
            people &= Q(full_name__icontains=word) | Q(email__icontains=word)
        in_people = Person.objects.filter(people, organisation=OuterRef("pk"))
        return queryset.filter(own | Exists(in_people))

    def _rows(self):
        return RoleMatrixEntry.objects.filter(agenda=self.agenda, organisation=OuterRef("pk"))

    def filter_leader(self, queryset, name, value):
        if self.agenda is None:
            return queryset
        led = Exists(self._rows().filter(is_leader=True))
        return queryset.filter(led if value == "yes" else ~led)

    def filter_state(self, queryset, name, value):
        if self.agenda is None:
            return queryset
        if value == ConfirmationState.CONFIRMED:
            return queryset.filter(Exists(self._rows().filter(confirmed_at__isnull=False)))
        if value == ConfirmationState.PENDING:
            return queryset.filter(Exists(self._rows().filter(confirmed_at__isnull=True)))
        if value == ConfirmationState.OUTSIDE:
            return queryset.filter(~Exists(self._rows()))
        return queryset


class RoleEntryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[
            (ConfirmationState.CONFIRMED, _("confirmed")),
            (ConfirmationState.PENDING, _("waiting for confirmation")),
            (ConfirmationState.INCOMPLETE, _("refined role or zone missing")),
        ],
        method="filter_state",
        empty_label=_("any state"),
    )
    leader = django_filters.ChoiceFilter(
        label=_("Leader"), choices=YES_NO, method="filter_leader", empty_label=_("leader or not")
    )
    helix = django_filters.ChoiceFilter(
        label=_("Helix side"),
        field_name="organisation__helix",
        choices=Helix.choices,
        empty_label=_("any side"),
    )

    class Meta:
        model = RoleMatrixEntry
        fields = ["q", "state", "leader", "helix"]

    def filter_text(self, queryset, name, value):
        """Every word in the organisation, the representative's name, the refined role or the zone."""
        query = Q()
        for word in value.split():
            query &= (
                _word_query("organisation__", word)
                | Q(representative__full_name__icontains=word)
                | Q(refined_role__icontains=word)
                | Q(zone_of_responsibility__icontains=word)
            )
        return queryset.filter(query)

    def filter_state(self, queryset, name, value):
        if value == ConfirmationState.CONFIRMED:
            return queryset.filter(confirmed_at__isnull=False)
        if value == ConfirmationState.PENDING:
            return queryset.filter(confirmed_at__isnull=True)
        if value == ConfirmationState.INCOMPLETE:
            no_role = Q(refined_role_type="") & Q(refined_role="")
            return queryset.filter(no_role | Q(zone_of_responsibility=""))
        return queryset

    def filter_leader(self, queryset, name, value):
        return queryset.filter(is_leader=(value == "yes"))
