"""Queueing Elasticsearch's documents to be brought in step, once per transaction.

A change names the pages it touched (``sync_after_commit``); all the pages a transaction
names are handed to ``knowledge.sync_search_documents`` together once it commits: a
deleted section's whole subtree is a task or two, not one per page (Django sends
``pre_delete`` for each page row), and a rolled-back change queues nothing. Nothing
here imports the Elasticsearch client: every publish passes through it.
"""

from django.db import connection, transaction

from portal.queueing import queue

from ..ranking import uses_elasticsearch
from ..tasks import sync_search_documents

#: Pages per sync task: a moved section's whole subtree in a few tasks, not one per page.
SYNC_CHUNK = 500
#: Where the connection keeps its transaction's pages until the commit.
_PENDING = "_knowledge_search_sync"


class _Pending:
    def __init__(self, page_ids: set[int]):
        self.page_ids = page_ids

    def hand_over(self) -> None:
        if getattr(connection, _PENDING, None) is self:
            setattr(connection, _PENDING, None)
        page_ids = sorted(self.page_ids)
        for start in range(0, len(page_ids), SYNC_CHUNK):
            chunk = page_ids[start : start + SYNC_CHUNK]
            queue(sync_search_documents, chunk, catches_up="the nightly search_reindex")


def sync_after_commit(page_ids) -> None:
    """Queue the Elasticsearch documents of ``page_ids`` to be brought in step once the
    change is committed (the task reads the pages then). A broker that is down fails
    nothing: the nightly ``search_reindex`` catches up."""
    page_ids = {int(pk) for pk in page_ids}
    if not uses_elasticsearch() or not page_ids:
        return
    pending = getattr(connection, _PENDING, None)
    # Still waiting for this transaction's commit (not discarded by a rollback)?
    if pending is not None and any(
        callback[1] == pending.hand_over for callback in connection.run_on_commit
    ):
        pending.page_ids |= page_ids
        return
    pending = _Pending(page_ids)
    setattr(connection, _PENDING, pending)
    # Outside a transaction this runs at once.
    transaction.on_commit(pending.hand_over)
