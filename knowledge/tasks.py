"""Celery tasks for knowledge. Every task takes ids (or nothing) and can run twice."""

from celery import shared_task
from django.core.management import call_command

from portal.organisation.scoping import system_scope

from . import verification
from .ranking import uses_elasticsearch


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


class SearchIndexUnavailable(Exception):
    """Elasticsearch cannot be reached or refused for now (overloaded, restarting):
    tried again later."""


# Connection failures and the server's temporary refusals are retried with backoff; a
# request it rejects for good (4xx) is not, and the next publish or reindex sets it right.
@shared_task(
    name="knowledge.sync_search_documents",
    acks_late=True,
    autoretry_for=(SearchIndexUnavailable,),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=8,
)
@system_scope("the search index holds every vendor's pages; readers are filtered when searching")
def sync_search_documents(page_ids: list[int]) -> dict[str, int]:
    """Make these pages' Elasticsearch documents what the pages are now (written when
    live, removed otherwise): safe to run twice, or late."""
    if not uses_elasticsearch():
        return {}
    # Here, not at the top: the client is a slow import that only this path needs.
    import elasticsearch

    from .elastic import indexes as elastic_indexes

    try:
        return elastic_indexes.sync_pages(page_ids)
    except (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout) as error:
        raise SearchIndexUnavailable(str(error)) from error
    except elasticsearch.ApiError as error:
        if error.meta.status == 429 or error.meta.status >= 500:
            raise SearchIndexUnavailable(str(error)) from error
        raise
    except elastic_indexes.SyncRefused as error:
        if error.temporary:
            raise SearchIndexUnavailable(str(error)) from error
        raise


@shared_task(name="knowledge.rebuild_search_index", acks_late=True)
@system_scope("indexes every vendor's pages; readers are filtered when searching")
def rebuild_search_index() -> str:
    """Beat's nightly catch-up (when Elasticsearch is configured): ``search_reindex``
    rewrites every document from the database, whatever a lost task or a broker that
    was down left behind."""
    if not uses_elasticsearch():
        return ""
    from .elastic import indexes as elastic_indexes  # the client: a slow import

    return elastic_indexes.reindex()
