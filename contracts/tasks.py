"""Contracts' beat task: both sides told of a KPI missed twice in a row (``alerts``)."""

from celery import shared_task

from portal.organisation.scoping import system_scope

from .alerts import AlertNotSent, send_missed_kpi_alerts


# An alert the mail server refused is unclaimed: tried again a few minutes later.
@shared_task(
    name="contracts.send_missed_kpi_alerts",
    acks_late=True,
    autoretry_for=(AlertNotSent,),
    retry_backoff=300,
    max_retries=5,
)
@system_scope("tells every vendor's managers and the client managers of KPIs missed in a row")
def send_missed_kpi_alerts_task() -> int:
    return send_missed_kpi_alerts()
