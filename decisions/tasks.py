"""Decisions' beat task: the daily digest to policy owners (``digest``)."""

from celery import shared_task

from portal.organisation.scoping import system_scope

from .digest import DigestNotSent, send_decision_digests


# A digest the mail server refused is unclaimed: tried again a few minutes later.
@shared_task(
    name="decisions.send_digests",
    acks_late=True,
    autoretry_for=(DigestNotSent,),
    retry_backoff=300,
    max_retries=5,
)
@system_scope("reports every vendor's decisions to the client's policy owners")
def send_digests() -> int:
    return send_decision_digests()
