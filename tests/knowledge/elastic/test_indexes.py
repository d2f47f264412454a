"""Keeping Elasticsearch in step: the sync task on publish, unpublish, move and delete
(queued on commit, idempotent, retried), and the rebuild behind the alias."""

import elasticsearch
import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page

from knowledge.elastic import indexes
from knowledge.models import KnowledgeAudience
from knowledge.tasks import sync_search_documents
from tests.knowledge.builders import article

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
        assert indexes.write_indexes(indexes.client()) == ["portal-1", "portal-2"]
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


@pytest.fixture
def on_commit(eager_celery, django_capture_on_commit_callbacks):
    """Run what is queued on commit, with tasks in this process."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def test_publishing_and_unpublishing_keep_the_document_in_step(fake_es, indexed, on_commit):
    payments = Page.objects.get(title="결제·환불").specific
    with on_commit():
        page = article(payments, "포인트 환불", "포인트로 환불합니다")
    assert docs(fake_es, indexed)[str(page.pk)]["title"] == "포인트 환불"
    assert fake_es.calls() == [
        "GET /_alias/portal,portal-building",
        f"PUT /{indexed}/_doc/{page.pk}",
    ]

    with on_commit():
        page.unpublish()
    assert str(page.pk) not in docs(fake_es, indexed)
    # Twice: the same end, without an error.
    sync_search_documents.delay([page.pk])
    assert str(page.pk) not in docs(fake_es, indexed)


def test_moving_a_section_rewrites_the_paths_below_it(fake_es, indexed, on_commit, world):
    delivery = Page.objects.get(title="주문·배송").specific
    payments = Page.objects.get(title="결제·환불")
    delay = Page.objects.get(title="배송 지연 안내")
    with on_commit():
        delivery.move(payments, pos="last-child")
    delay.refresh_from_db()
    assert docs(fake_es, indexed)[str(delay.pk)]["path"] == delay.path
    assert docs(fake_es, indexed)[str(delivery.pk)]["path"].startswith(payments.path)


def test_deleting_removes_the_document(fake_es, indexed, on_commit):
    delay = Page.objects.get(title="배송 지연 안내")
    with on_commit():
        delay.delete()
    assert str(delay.pk) not in docs(fake_es, indexed)


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
