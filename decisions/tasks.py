"""Decisions' beat task: the daily digest to policy owners (``digest``)."""

from celery import shared_task

from portal.organisation.scoping import system_scope

from .digest import send_decision_digests


@shared_task(name="decisions.send_digests", acks_late=True)
@system_scope("reports every vendor's decisions to the client's policy owners")
def send_digests() -> int:
    return send_decision_digests()
