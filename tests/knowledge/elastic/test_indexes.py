"""Keeping Elasticsearch in step: the sync task on publish, unpublish, move and delete
(queued on commit, idempotent, retried), and the rebuild behind the alias."""

import elasticsearch
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page

from knowledge.elastic import indexes
from knowledge.elastic.query import reader_filter
from knowledge.models import KnowledgeAudience
from knowledge.search import _readable_notices_and_courses
from knowledge.tasks import sync_search_documents
from tests.knowledge.builders import article, section

from .fake import matches

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(fake_es, knowledge, settings):
    """The knowledge tree indexed once, as ``search_reindex`` does."""
    name = indexes.reindex()
    fake_es.requests.clear()
    return name


def test_the_rebuild_switches_the_alias_in_one_step(fake_es, knowledge, monkeypatch):
    monkeypatch.setattr(indexes, "new_index_name", lambda: "portal-1")
    first = indexes.reindex()
    assert first == "portal-1"
    assert fake_es.calls() == [
        "HEAD /portal",
        "GET /_alias/portal-building",
        "PUT /portal-1",
        "POST /_aliases",
        "PUT /_bulk",
        "POST /portal-1/_refresh",
        "GET /portal-*",
        "GET /_alias/portal",
        "POST /_aliases",
    ]
    assert fake_es.bodies("PUT", "/portal-1") == [indexes.index_body()]
    live = {str(page.pk) for page in indexes.searchable_pages()}
    assert set(fake_es.indexes["portal-1"]) == live
    assert fake_es.behind("portal") == {"portal-1"}

    fake_es.requests.clear()
    monkeypatch.setattr(indexes, "new_index_name", lambda: "portal-2")
    indexes.reindex()
    switch = fake_es.bodies("POST", "/_aliases")
    assert switch == [
        {"actions": [{"add": {"index": "portal-2", "alias": "portal-building"}}]},
        # One request: searches see portal-1 or portal-2, never neither.
        {
            "actions": [
                {"remove": {"index": "portal-1", "alias": "portal"}},
                {"remove": {"index": "portal-2", "alias": "portal-building"}},
                {"add": {"index": "portal-2", "alias": "portal"}},
            ]
        },
    ]
    assert fake_es.calls()[-1] == "DELETE /portal-1"
    assert set(fake_es.indexes) == {"portal-2"}


def test_older_versions_are_kept_when_asked(fake_es, knowledge, monkeypatch):
    for n in (1, 2, 3):
        monkeypatch.setattr(indexes, "new_index_name", lambda n=n: f"portal-{n}")
        indexes.reindex(keep=1)
    assert set(fake_es.indexes) == {"portal-2", "portal-3"}
    assert fake_es.behind("portal") == {"portal-3"}


def test_changes_during_a_rebuild_reach_the_new_index(fake_es, knowledge, monkeypatch):
    """A page published while the rebuild loads is written by the sync task to both
    indexes, and the rebuild's older copy does not overwrite it; a page unpublished after
    the rebuild read it is gone before the switch."""
    monkeypatch.setattr(indexes, "new_index_name", lambda: "portal-1")
    indexes.reindex()
    refund, coupon = knowledge["refund"], knowledge["coupon"]
    read_before = list(indexes.searchable_pages())

    def loading():
        Page.objects.filter(pk=refund.pk).update(title="단순 변심 환불 (개정)")
        assert indexes.write_aliases(indexes.client()) == ["portal", "portal-building"]
        indexes.sync_pages([refund.pk])
        Page.objects.filter(pk=coupon.pk).update(live=False)
        yield from read_before

    monkeypatch.setattr(indexes, "new_index_name", lambda: "portal-2")
    monkeypatch.setattr(indexes, "searchable_pages", loading)
    indexes.reindex()
    assert fake_es.indexes["portal-2"][str(refund.pk)]["title"] == "단순 변심 환불 (개정)"
    assert str(coupon.pk) not in fake_es.indexes["portal-2"]


def test_a_failed_rebuild_switches_nothing_and_leaves_no_index(fake_es, knowledge, monkeypatch):
    monkeypatch.setattr(indexes, "new_index_name", lambda: "portal-1")
    indexes.reindex()

    def broken():
        raise RuntimeError("the database went away")
        yield

    monkeypatch.setattr(indexes, "new_index_name", lambda: "portal-2")
    monkeypatch.setattr(indexes, "searchable_pages", broken)
    with pytest.raises(RuntimeError):
        indexes.reindex()
    assert set(fake_es.indexes) == {"portal-1"} and fake_es.behind("portal") == {"portal-1"}


def test_an_index_in_the_aliases_place_is_refused(fake_es, knowledge):
    fake_es.indexes["portal"], fake_es.aliases["portal"] = {}, set()
    with pytest.raises(indexes.ReindexError, match="'portal' is an index, not an alias"):
        indexes.reindex()
    assert fake_es.calls() == ["HEAD /portal", "HEAD /_alias/portal"]


def docs(fake_es, index):
    return fake_es.indexes[index]


def test_publishing_and_unpublishing_keep_the_document_in_step(fake_es, indexed, on_commit):
    payments = Page.objects.get(title="결제·환불").specific
    with on_commit():
        page = article(payments, "포인트 환불", "포인트로 환불합니다")
    assert docs(fake_es, indexed)[str(page.pk)]["title"] == "포인트 환불"
    assert fake_es.calls() == ["GET /_alias/portal,portal-building", "PUT /_bulk"]
    # Through the alias, which must be one: a late write never creates an index.
    ((action, _source),) = fake_es.bodies("PUT", "/_bulk")
    assert action == {"index": {"_index": "portal", "_id": str(page.pk)}}

    with on_commit():
        page.unpublish()
    assert str(page.pk) not in docs(fake_es, indexed)
    # Twice: the same end, without an error.
    sync_search_documents.delay([page.pk])
    assert str(page.pk) not in docs(fake_es, indexed)


def test_moving_a_section_rewrites_the_ancestors_below_it(fake_es, indexed, on_commit, world):
    delivery = Page.objects.get(title="주문·배송").specific
    payments = Page.objects.get(title="결제·환불")
    delay = Page.objects.get(title="배송 지연 안내")
    with on_commit():
        delivery.move(payments, pos="last-child")
    delay.refresh_from_db()
    assert docs(fake_es, indexed)[str(delay.pk)]["ancestor_ids"] == [
        page.pk for page in delay.get_ancestors(inclusive=True)
    ]
    assert payments.pk in docs(fake_es, indexed)[str(delay.pk)]["ancestor_ids"]


def test_sorting_siblings_needs_no_request(fake_es, indexed, on_commit):
    delivery = Page.objects.get(title="주문·배송")
    with on_commit():
        delivery.move(Page.objects.get(title="결제·환불"), pos="left")
    assert fake_es.requests == []


def test_deleting_removes_the_document(fake_es, indexed, on_commit):
    delay = Page.objects.get(title="배송 지연 안내")
    with on_commit():
        delay.delete()
    assert str(delay.pk) not in docs(fake_es, indexed)


def test_deleting_a_section_is_one_task_and_one_bulk_request(
    fake_es, indexed, on_commit, monkeypatch
):
    delivery = Page.objects.get(title="주문·배송")
    below = list(Page.objects.descendant_of(delivery, inclusive=True).values_list("pk", flat=True))
    queued = []
    monkeypatch.setattr(
        sync_search_documents, "apply_async", lambda args, **kw: queued.append(args)
    )
    with on_commit():
        Page.objects.get(pk=delivery.pk).specific.delete()
    assert queued == [(sorted(below),)]
    queued.clear()
    sync_search_documents.apply(args=[sorted(below)])
    assert fake_es.calls() == ["GET /_alias/portal,portal-building", "PUT /_bulk"]
    assert not set(map(str, below)) & set(docs(fake_es, indexed))


def test_a_sync_reads_in_a_few_queries_however_many_pages(fake_es, indexed, knowledge):
    def queries(page_ids):
        with CaptureQueriesContext(connection) as captured:
            indexes.sync_pages(page_ids)
        return len(captured)

    payments = knowledge["payments"]
    few = [knowledge["refund"].pk, knowledge["delay"].pk, payments.pk]
    more = few + [article(payments, f"환불 사례 {n}", "사례").pk for n in range(5)]
    queries(few)  # content types cached, as in a worker that has run before
    assert queries(more) == queries(few)
    assert fake_es.calls()[-2:] == ["GET /_alias/portal,portal-building", "PUT /_bulk"]


def test_changes_reach_the_index_when_no_rebuild_runs(fake_es, indexed):
    """Elasticsearch answers 404 when one of the aliases asked for is missing (the
    building one, but during a rebuild), with the others in the body."""
    assert fake_es.behind("portal-building") == set()
    assert indexes.write_aliases(indexes.client()) == ["portal"]


def test_a_late_write_creates_no_index(fake_es, indexed, knowledge, monkeypatch):
    """A sync that read the aliases before a rebuild deleted the index behind one of
    them: the write is refused, not an index of its own with guessed mappings."""
    monkeypatch.setattr(indexes, "write_aliases", lambda es: ["portal", "portal-building"])
    indexes.sync_pages([knowledge["refund"].pk])
    assert set(fake_es.indexes) == {indexed}


def test_an_audience_change_needs_no_request(fake_es, indexed, on_commit, world):
    payments = Page.objects.get(title="결제·환불")
    with on_commit():
        KnowledgeAudience.objects.create(page=payments, vendor=world.vendor_b)
    assert fake_es.requests == []


def test_without_elasticsearch_nothing_is_queued(
    settings, knowledge, django_capture_on_commit_callbacks
):
    settings.ELASTICSEARCH_URL = ""
    payments = Page.objects.get(title="결제·환불").specific
    with django_capture_on_commit_callbacks() as callbacks:
        article(payments, "포인트 환불", "포인트로 환불합니다")
    assert not [c for c in callbacks if "hand_over" in getattr(c, "__qualname__", "")]


@pytest.mark.parametrize(
    ("error", "attempts"),
    [
        pytest.param(elasticsearch.ConnectionError("refused"), 9, id="unreachable"),
        pytest.param(elasticsearch.ConnectionTimeout("slow"), 9, id="timeout"),
        pytest.param(503, 9, id="unavailable"),
        pytest.param(429, 9, id="too-many-requests"),
        # Refused for good: the next publish or reindex sets it right.
        pytest.param(400, 1, id="bad-request"),
    ],
)
def test_temporary_failures_are_tried_again_and_permanent_ones_are_not(
    fake_es, indexed, monkeypatch, error, attempts
):
    tries = []

    def sync(page_ids):
        tries.append(page_ids)
        if isinstance(error, int):
            meta = type("Meta", (), {"status": error})()
            raise elasticsearch.ApiError("refused", meta=meta, body={})
        raise error

    monkeypatch.setattr(indexes, "sync_pages", sync)
    # Eagerly, Celery runs the retries at once (a worker waits 5 s, 10 s, ... up to 600 s).
    result = sync_search_documents.apply(args=[[1]])
    assert (result.state, len(tries)) == ("FAILURE", attempts)


def test_the_command_switches_and_says_which_index_serves(fake_es, knowledge, capsys):
    call_command("search_reindex")
    (serving,) = fake_es.behind("portal")
    assert f"{serving} serves searches" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("setup", "options", "message"),
    [
        ("unset", {}, "ELASTICSEARCH_URL is not set"),
        ("fake", {"keep": -1}, "--keep must be 0 or more"),
        ("down", {}, "Elasticsearch at http://fake-elasticsearch:9200: "),
    ],
)
def test_the_command_refuses_with_a_clear_message(fake_es, settings, setup, options, message):
    if setup == "unset":
        settings.ELASTICSEARCH_URL = ""
    fake_es.down = setup == "down"
    with pytest.raises(CommandError, match=message):
        call_command("search_reindex", **options)
    assert fake_es.indexes == {}


def test_reordering_sections_keeps_an_audience_out(fake_es, world, on_commit):
    """Sorting sections (the admin's "sort menu order" moves a page left or right of a
    sibling) renumbers the tree paths of the siblings after it and of everything below
    them, and no task re-syncs those: what keeps another vendor out must not hang on
    paths."""
    section("공개")
    only_a = section("한결 전용", audience=[(world.vendor_a, None)])
    special = article(only_a, "한결 환불 특례", "한결 상담사만 보는 환불 특례")
    later = section("나중")
    name = indexes.reindex()
    with on_commit():
        Page.objects.get(pk=later.pk).move(Page.objects.get(pk=only_a.pk), pos="left")

    def found_by(user):
        readable = _readable_notices_and_courses(user)
        clause = reader_filter(user, readable, timezone.now()).to_dict()
        return {doc["page_id"] for doc in docs(fake_es, name).values() if matches(clause, doc)}

    assert special.pk not in found_by(world.agent_b1.user)
    assert special.pk in found_by(world.agent_a1.user)


def test_a_failed_switch_leaves_no_index_behind(fake_es, knowledge, monkeypatch):
    monkeypatch.setattr(indexes, "new_index_name", lambda: "portal-1")
    indexes.reindex()
    monkeypatch.setattr(indexes, "new_index_name", lambda: "portal-2")
    handle = fake_es.handle

    def refuse_the_switch(method, target, body):
        if target == "/_aliases" and b'"remove"' in (body or b""):
            return 503, {"error": "unavailable", "status": 503}
        return handle(method, target, body)

    monkeypatch.setattr(fake_es, "handle", refuse_the_switch)
    with pytest.raises(elasticsearch.ApiError):
        indexes.reindex()
    assert set(fake_es.indexes) == {"portal-1"} and fake_es.behind("portal") == {"portal-1"}


def test_a_rebuild_that_died_is_cleared_by_the_next(fake_es, knowledge, monkeypatch):
    monkeypatch.setattr(indexes, "new_index_name", lambda: "portal-1")
    indexes.reindex()
    fake_es.indexes["portal-2"], fake_es.aliases["portal-2"] = {}, {"portal-building"}
    monkeypatch.setattr(indexes, "new_index_name", lambda: "portal-3")
    indexes.reindex()
    assert set(fake_es.indexes) == {"portal-3"} and fake_es.behind("portal") == {"portal-3"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="an advisory lock of PostgreSQL")
def test_one_rebuild_at_a_time(fake_es, knowledge):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [indexes.REINDEX_LOCK])
        with pytest.raises(CommandError, match="Another search_reindex is running"):
            call_command("search_reindex")
        assert fake_es.requests == []
    finally:
        other.close()
    call_command("search_reindex")
    assert len(fake_es.behind("portal")) == 1
