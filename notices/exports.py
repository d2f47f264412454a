"""CSV and XLSX exports: a notice's status per agent, and the acknowledgement audit."""

from datetime import UTC

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.tabular import agent_cells, agent_columns, respond  # noqa: F401 - views export through it

from .models import Acknowledgement


def status_table(deliveries, acks_by_agent: dict):
    header = [
        *agent_columns(),
        _("Delivered at"),
        _("Email"),
        _("Read at"),
        _("Acknowledged at"),
        _("On time"),
    ]
    rows = []
    for delivery in deliveries:
        agent = delivery.agent
        ack = acks_by_agent.get(agent.pk)
        rows.append(
            [
                *agent_cells(agent),
                _local(delivery.created_at),
                delivery.get_email_status_display(),
                _local(delivery.read_at),
                _local(ack.acknowledged_at) if ack else "",
                (_("yes") if ack.on_time else _("no")) if ack else "",
            ]
        )
    return header, rows


def audit_table(acknowledgements):
    header = [
        *agent_columns(),
        _("Notice"),
        _("Version"),
        _("Revision"),
        _("Content hash (SHA-256)"),
        _("Acknowledged at (UTC)"),
        _("On time"),
        _("IP address"),
        _("Browser"),
        _("Statement"),
        _("Audit record"),
        _("Audit hash"),
    ]
    rows = []
    for ack in acknowledgements:
        agent = ack.agent
        rows.append(
            [
                *agent_cells(agent),
                ack.notice.title,
                ack.version.number,
                ack.revision_id,
                ack.content_hash,
                ack.acknowledged_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                _("yes") if ack.on_time else _("no"),
                ack.ip_address or "",
                ack.user_agent,
                ack.statement,
                ack.audit_record_id,
                ack.audit_record.record_hash,
            ]
        )
    return header, rows


def audit_rows(acknowledgements):
    return acknowledgements.select_related(
        "agent__user", "agent__vendor", "agent__team", "notice", "version", "audit_record"
    ).order_by("acknowledged_at", "pk")


def acks_for(version, agent_ids) -> dict:
    return {
        ack.agent_id: ack
        for ack in Acknowledgement.objects.unscoped().filter(
            version=version, agent_id__in=agent_ids
        )
    }


def _local(value):
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
