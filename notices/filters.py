"""The filters of a notice's status page and its export."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.listing import AgentFilterSet

#: Which agents the status page lists (``status.filter_state`` applies it to deliveries).
STATE_LABELS = [
    ("unacknowledged", _("Not acknowledged")),
    ("overdue", _("Overdue")),
    ("unread", _("Not opened")),
    ("acknowledged", _("Acknowledged")),
    ("all", _("Everyone")),
]


class NoticeStatusFilter(AgentFilterSet):
    state = django_filters.ChoiceFilter(
        choices=STATE_LABELS, label=_("Show"), empty_label=None, method="applied_by_the_view"
    )
    defaults = {"state": "unacknowledged"}
