"""Celery tasks for knowledge. Every task takes ids (or nothing) and can run twice."""

from celery import shared_task
from django.core.management import call_command

from portal.organisation.scoping import system_scope

from . import verification


@shared_task(name="knowledge.publish_scheduled")
@system_scope("publishing runs for everyone")
def publish_scheduled() -> None:
    """Publish and unpublish what editors scheduled; beat runs it every minute."""
    call_command("publish_scheduled")


@shared_task(name="knowledge.send_review_reminders", acks_late=True)
@system_scope("reminds content owners, across vendors' audiences")
def send_review_reminders() -> int:
    """Tell owners which of their pages are due for review; beat runs it daily."""
    return verification.send_review_reminders()
