"""The FilterSet of the memoranda list of a region."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Memorandum, MemorandumStatus


class MemorandumFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=MemorandumStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    q = django_filters.CharFilter(method="search", label=_("Title contains"))

    class Meta:
        model = Memorandum
        fields = ["status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title_uk__icontains=value) | Q(title_en__icontains=value))
