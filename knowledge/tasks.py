from celery import shared_task
from django.core.management import call_command


@shared_task(name="knowledge.publish_scheduled")
def publish_scheduled() -> None:
    """Publish and unpublish what editors scheduled; beat runs it every minute."""
    call_command("publish_scheduled")
