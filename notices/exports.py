"""CSV and XLSX exports: a notice's status per agent, and the acknowledgement audit. Each
is ``portal.tabular.agent_table``: who the agent is, then these columns."""

from datetime import UTC

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.tabular import agent_table, respond, yes_no  # noqa: F401 - views export through it

from .models import Acknowledgement


def status_columns() -> list[tuple]:
    """Of deliveries ``with_acknowledgements``."""
    return [
        (_("Delivered at"), lambda delivery: _local(delivery.created_at)),
        (_("Email"), lambda delivery: delivery.get_email_status_display()),
        (_("Read at"), lambda delivery: _local(delivery.read_at)),
        (
            _("Acknowledged at"),
            lambda delivery: _local(delivery.ack.acknowledged_at) if delivery.ack else "",
        ),
        (_("On time"), lambda delivery: yes_no(delivery.ack.on_time) if delivery.ack else ""),
    ]


def with_acknowledgements(deliveries: list, version) -> list:
    """``deliveries``, each with ``ack``: its agent's acknowledgement of ``version`` or None."""
    acks = {
        ack.agent_id: ack
        for ack in Acknowledgement.objects.unscoped().filter(
            version=version, agent_id__in=[d.agent_id for d in deliveries]
        )
    }
    for delivery in deliveries:
        delivery.ack = acks.get(delivery.agent_id)
    return deliveries


def audit_table(acknowledgements):
    return agent_table(
        acknowledgements,
        [
            (_("Notice"), lambda ack: ack.notice.title),
            (_("Version"), lambda ack: ack.version.number),
            (_("Revision"), lambda ack: ack.revision_id),
            (_("Content hash (SHA-256)"), lambda ack: ack.content_hash),
            (
                _("Acknowledged at (UTC)"),
                lambda ack: ack.acknowledged_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            ),
            (_("On time"), lambda ack: yes_no(ack.on_time)),
            (_("IP address"), lambda ack: ack.ip_address or ""),
            (_("Browser"), lambda ack: ack.user_agent),
            (_("Statement"), lambda ack: ack.statement),
            (_("Audit record"), lambda ack: ack.audit_record_id),
            (_("Audit hash"), lambda ack: ack.audit_record.record_hash),
        ],
    )


def audit_rows(acknowledgements):
    return acknowledgements.select_related(
        "agent__user",
        "agent__vendor",
        "agent__team",
        "notice",
        "version",
        "audit_record__personal",
    ).order_by("acknowledged_at", "pk")


def _local(value):
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
