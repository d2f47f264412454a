"""CSV and XLSX exports: a notice's status per agent, and the acknowledgement audit. Each
is ``portal.tabular.agent_table``: who the agent is, then these columns."""

from django.utils.translation import gettext as _

from portal.tabular import (  # noqa: F401 - views export through it
    agent_table,
    local_time_heading,
    respond,
    yes_no,
)

from .models import Acknowledgement


def status_columns(past_due: bool) -> list[tuple]:
    """Of deliveries ``with_acknowledgements``: the columns of the status page, and when
    each thing happened. ``past_due``: the notice's acknowledge-by has passed."""
    return [
        (local_time_heading(_("Delivered at")), lambda delivery: delivery.created_at),
        (_("Email"), lambda delivery: delivery.get_email_status_display()),
        (local_time_heading(_("Read at")), lambda delivery: delivery.read_at),
        (_("Status"), lambda delivery: status_label(delivery, past_due)),
        (
            local_time_heading(_("Acknowledged at")),
            lambda delivery: delivery.ack.acknowledged_at if delivery.ack else None,
        ),
        (_("On time"), lambda delivery: yes_no(delivery.ack.on_time) if delivery.ack else ""),
    ]


def status_label(delivery, past_due: bool) -> str:
    """What the status page's badge says of a delivery."""
    if delivery.ack:
        return _("Acknowledged")
    return _("Overdue") if past_due else _("Waiting")


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
            (local_time_heading(_("Acknowledged at")), lambda ack: ack.acknowledged_at),
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
