"""Celery tasks for training. Every task takes ids (or nothing) and can run twice."""

from celery import shared_task

from portal.organisation.scoping import system_scope

from . import nudges


@shared_task(name="training.ask_for_review", acks_late=True)
@system_scope("asks every affected agent to review a course")
def ask_for_review(version_id: int) -> int:
    return nudges.ask_for_review(version_id)


@shared_task(name="training.send_training_nudges", acks_late=True)
@system_scope("nudges every vendor's agents before go-live")
def send_training_nudges() -> int:
    return nudges.send_training_nudges()


@shared_task(name="training.send_cohort_alerts", acks_late=True)
@system_scope("alerts every vendor's managers about their cohorts")
def send_cohort_alerts() -> int:
    return nudges.send_cohort_alerts()


@shared_task(name="training.record_readiness_snapshots", acks_late=True)
@system_scope("records every vendor's readiness")
def record_readiness_snapshots() -> int:
    return nudges.record_snapshots()
