"""What import_knowledge writes: one save per page, a page indistinguishable from one
published in Wagtail, search and references indexed in one pass, a bounded number of
statements per line, nothing at all when it fails."""

import re
from collections import Counter

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.search.models import IndexEntry
from wagtail.signals import page_published

from knowledge import importing
from knowledge.importing import import_knowledge
from knowledge.models import AnswerPolicyPage, ArticlePage, KnowledgeIndexPage
from knowledge.search import search_knowledge
from searchindex.deferred import current
from searchindex.indexing import index_page, rebuild_from
from searchindex.models import Corpus, IndexedPage, Posting, Term
from tests.factories import UserFactory

from .builders import POLICY_LINE, jsonl

pytestmark = pytest.mark.django_db


def article(n, **fields):
    return {
        "external_id": f"A-{n}",
        "title": f"반품 안내 {n}",
        "body": f"## 반품\n\n수령 후 **{n}일** 이내 반품 가능",
        "kind": "article",
        "section": "주문·배송/반품",
        **fields,
    }


POLICY = {**POLICY_LINE, "tags": ["환불", "배송"]}


class Saves:
    """Every save of a page, by page id."""

    def __init__(self):
        self.by_page = Counter()

    def __call__(self, sender, instance, **kwargs):
        if isinstance(instance, Page):
            self.by_page[instance.pk] += 1

    def __enter__(self):
        post_save.connect(self, weak=False, dispatch_uid="test.saves")
        return self

    def __exit__(self, *exc):
        post_save.disconnect(dispatch_uid="test.saves")


def writes(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_every_new_page_is_saved_once():
    with Saves() as saves:
        report = import_knowledge(jsonl(article(1), article(2), POLICY))
    assert report.created == 3
    # Two articles, a policy and the three sections made on demand, once each.
    assert len(saves.by_page) == Page.objects.filter(pk__in=saves.by_page).count() == 6
    assert set(saves.by_page.values()) == {1}


def test_an_updated_page_is_saved_once_and_published_as_in_wagtail():
    import_knowledge(jsonl(POLICY))
    page = AnswerPolicyPage.objects.get(external_id="P-1")
    with Saves() as saves:
        report = import_knowledge(jsonl({**POLICY, "title": "배송비 전액 환불"}))
    assert report.updated == 1
    assert saves.by_page == {page.pk: 1}
    page.refresh_from_db()
    assert (page.title, page.live, page.has_unpublished_changes) == (
        "배송비 전액 환불",
        True,
        False,
    )
    assert page.live_revision_id == page.latest_revision_id
    assert page.latest_revision.as_object().title == "배송비 전액 환불"
    actions = list(
        PageLogEntry.objects.filter(page=page, revision=page.live_revision)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["wagtail.rename", "wagtail.publish"]
    hits = search_knowledge(UserFactory(is_superuser=True), "전액 환불").hits
    assert hits[0].page.pk == page.pk


def _published_the_wagtail_way(item, parent):
    """A page as an editor publishes it: added, a revision saved, then published."""
    page = importing.KIND_MODELS[item["kind"]](external_id=item["external_id"])
    importing._fill(page, item)
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


PAGE_STATE = {
    # Set on the page as a whole; Wagtail keeps the row's when it restores a revision.
    "first_published_at",
    "last_published_at",
    "latest_revision_created_at",
    "latest_revision",
    "live_revision",
    "has_unpublished_changes",
    "verified_at",
}
PER_PAGE = {"id", "pk", "path", "url_path", "slug", "external_id", "translation_key"}


def _comparable(page):
    row = {
        field.attname: getattr(page, field.attname)
        for field in type(page)._meta.concrete_fields
        if field.name not in PER_PAGE | PAGE_STATE and not field.name.endswith("_ptr")
    }
    revision = page.latest_revision
    content = {
        key: value
        for key, value in revision.content.items()
        if key not in PER_PAGE | PAGE_STATE and not key.endswith("_ptr")
    }
    for key in ("knowledge_tag_items", "scripts"):
        content[key] = [
            {k: v for k, v in child.items() if k not in {"pk", "content_object", "page"}}
            for child in content.get(key, [])
        ]
    history = list(
        PageLogEntry.objects.filter(page=page)
        .order_by("pk")
        .values_list("action", "content_changed", "user", "data")
    )
    references = sorted(
        # The content path names the tag's row: per page, like its id.
        (*row[:-1], re.sub(r"\.\d+\.", ".N.", row[-1]))
        for row in ReferenceIndex.objects.filter(object_id=str(page.pk)).values_list(
            "content_type", "to_content_type", "to_object_id", "model_path", "content_path"
        )
    )
    return {
        "row": row,
        "tags": sorted(page.tags.names()),
        "scripts": [(s.channel, s.text) for s in page.scripts.all()],
        "revisions": Revision.objects.for_instance(page).count(),
        "revision": (revision.user_id, revision.approved_go_live_at, revision.object_str),
        "content": content,
        "history": history,
        "references": references,
        "indexed": IndexedPage.objects.filter(page=page).exists(),
    }


def test_an_imported_page_is_indistinguishable_from_one_published_in_wagtail():
    """Field by field, against the way the import used to write (and editors write)."""
    import_knowledge(jsonl({**POLICY, "external_id": "P-0", "title": "다른 정책"}))
    section = AnswerPolicyPage.objects.get(external_id="P-0").get_parent()
    old = _published_the_wagtail_way(POLICY, section)
    import_knowledge(jsonl({**POLICY, "external_id": "P-2"}))
    new = AnswerPolicyPage.objects.get(external_id="P-2")
    imported, published = _comparable(new), _comparable(old)
    differing = {
        key: (imported["content"].get(key), published["content"].get(key))
        for key in imported["content"].keys() | published["content"].keys()
        if imported["content"].get(key) != published["content"].get(key)
    }
    assert differing == {}
    assert imported == published
    assert new.live_revision_id == new.latest_revision_id
    # One moment for the publish and everything it stamps, as Wagtail's would be.
    assert (
        new.first_published_at
        == new.last_published_at
        == new.latest_revision_created_at
        == new.latest_revision.created_at
        == new.verified_at
    )
    publish = PageLogEntry.objects.get(page=new, action="wagtail.publish")
    assert (publish.revision_id, publish.timestamp) == (new.live_revision_id, new.last_published_at)
    # The tree stays sound: paths, depths and every parent's count of children.
    assert Page.find_problems() == ([], [], [], [], [])
    # Agents' search reads what was published.
    assert new.latest_revision.as_object().conditions == new.conditions


def test_a_draft_import_saves_a_revision_and_publishes_nothing():
    with Saves() as saves:
        import_knowledge(jsonl(article(1)), publish=False)
    page = ArticlePage.objects.get(external_id="A-1")
    assert saves.by_page[page.pk] == 1
    assert (page.live, page.has_unpublished_changes, page.live_revision_id) == (False, True, None)
    assert page.first_published_at is None and page.verified_at is None
    assert page.latest_revision.as_object().title == page.title
    assert not PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists()
    assert not IndexedPage.objects.filter(page=page).exists()
    # Its section is published, as before: sections are shelves, not content.
    assert page.get_parent().live


def test_the_search_indexes_hold_every_imported_page():
    items = [article(n) for n in range(1, 13)] + [POLICY]
    import_knowledge(jsonl(*items))
    imported = [*ArticlePage.objects.all(), *AnswerPolicyPage.objects.all()]
    assert len(imported) == 13
    user = UserFactory(is_superuser=True)
    for page in imported:
        assert IndexedPage.objects.filter(page=page).exists()
        assert IndexEntry.objects.filter(object_id=str(page.pk)).exists()
    assert search_knowledge(user, "반품 안내 7").hits[0].page.specific.external_id == "A-7"
    assert ArticlePage.objects.search("반품").count() == 12


def test_the_bulk_pass_writes_the_index_publishing_one_by_one_writes():
    """Same index, same ranking: each page weighed against the corpus as it stood when it
    came in, as when every page was indexed on its own publish."""
    import_knowledge(jsonl(*[article(n) for n in range(1, 9)], POLICY))

    def snapshot():
        corpus = Corpus.objects.values().get(pk=1)
        terms = {text: pages for text, pages in Term.objects.values_list("text", "pages") if pages}
        postings = sorted(
            Posting.objects.values_list(
                "term__text", "page_id", "impact", "title_count", "body_count", "scripts_count"
            )
        )
        return corpus, terms, postings

    imported = snapshot()
    rebuild_from([])
    for page in Page.objects.live().order_by("pk").specific():
        index_page(page)
    assert snapshot() == imported


def test_reference_index_rows_are_those_wagtail_writes_on_save():
    import_knowledge(jsonl(POLICY))
    page = AnswerPolicyPage.objects.get(external_id="P-1")
    rows = set(ReferenceIndex.objects.filter(object_id=str(page.pk)).values_list("to_object_id"))
    assert rows  # its tags
    ReferenceIndex.objects.filter(object_id=str(page.pk)).delete()
    ReferenceIndex.create_or_update_for_object(page)
    again = ReferenceIndex.objects.filter(object_id=str(page.pk)).values_list("to_object_id")
    assert set(again) == rows


def test_reimporting_the_same_file_writes_nothing():
    text = jsonl(article(1), article(2), POLICY)
    import_knowledge(text)
    with CaptureQueriesContext(connection) as queries:
        assert import_knowledge(text).unchanged == 3
    assert writes(queries) == []


def test_statements_per_line_are_bounded_and_do_not_grow():
    import_knowledge(jsonl(article(0)))  # the sections exist from here on

    def statements(numbers):
        with CaptureQueriesContext(connection) as queries:
            import_knowledge(jsonl(*[article(n) for n in numbers]))
        return len(queries)

    ten = statements(range(1, 11))
    thirty = statements(range(11, 41))
    per_line = (thirty - ten) / 20
    # The ~120 of a save, revision and publish per page, each re-indexing, came down to
    # 16 for a plain article (a fraction more on SQLite, whose index writes batch by
    # size); the rest is per import (and per parent), not per line.
    assert per_line <= 16.5, per_line
    assert ten - 10 * per_line <= 60, ten


class Boom(Exception):
    pass


def _nothing_written_or_indexed(before):
    assert Page.objects.count() == before["pages"]
    assert Revision.objects.count() == before["revisions"]
    assert IndexedPage.objects.count() == before["indexed"]
    assert Term.objects.count() == before["terms"]
    assert IndexEntry.objects.count() == before["entries"]
    assert ReferenceIndex.objects.count() == before["references"]
    assert current() is None


def _counts():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "indexed": IndexedPage.objects.count(),
        "terms": Term.objects.count(),
        "entries": IndexEntry.objects.count(),
        "references": ReferenceIndex.objects.count(),
    }


def test_a_failure_while_writing_leaves_nothing_written_or_indexed(monkeypatch):
    import_knowledge(jsonl(article(1)))
    before = _counts()
    real_add = importing._NewPages.add

    def add(self, parent, page, publish=None):
        if page.title == "반품 안내 4":
            raise Boom
        real_add(self, parent, page, publish)

    monkeypatch.setattr(importing._NewPages, "add", add)
    with pytest.raises(Boom):
        import_knowledge(jsonl(*[article(n) for n in range(2, 6)], POLICY))
    _nothing_written_or_indexed(before)


def test_a_failure_in_the_indexing_pass_leaves_nothing_written(monkeypatch):
    before = _counts()

    def index_pages(page_ids):
        raise Boom

    monkeypatch.setattr("searchindex.deferred.index_pages", index_pages)
    with pytest.raises(Boom):
        import_knowledge(jsonl(article(1), POLICY))
    _nothing_written_or_indexed(before)


def test_a_bad_line_writes_and_indexes_nothing():
    before = _counts()
    report = import_knowledge(jsonl(article(1), {**POLICY, "authority": "boss"}))
    assert [error.line for error in report.errors] == [2]
    _nothing_written_or_indexed(before)


def test_the_import_does_what_every_publish_receiver_does():
    """New pages are published without Wagtail's ``page_published`` signal; what each
    receiver records is done by the import itself (``importing._NewPages``). A new
    receiver must be looked at there before this list is extended."""
    receivers = {
        f"{receiver.__module__}.{receiver.__qualname__}"
        for model in (ArticlePage, AnswerPolicyPage, KnowledgeIndexPage)
        for receiver in page_published._live_receivers(model)[0]
    }
    assert receivers == {
        # Search: deferred and indexed in the bulk pass.
        "searchindex.signal_handlers.index_on_publish",
        # Verification: stamped in the page's one save.
        "knowledge.signal_handlers.verify_on_publish",
        # Changes waiting on the page: a new page has none.
        "notices.signal_handlers.page_went_live",
        # Elasticsearch's documents: queued once for all new pages.
        "knowledge.signal_handlers.elastic_on_publish",
    }


def test_elasticsearch_documents_are_queued_once_for_all_new_pages(monkeypatch):
    queued = []
    monkeypatch.setattr(importing, "sync_after_commit", lambda ids: queued.append(sorted(ids)))
    last = Page.objects.order_by("pk").last().pk
    import_knowledge(jsonl(article(1), POLICY))
    # The article, the policy and the sections made for them: all kinds agents search.
    published = list(Page.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True))
    assert len(published) == 5
    assert queued == [published]


def test_slugs_are_the_ones_wagtail_would_make_beside_existing_pages():
    import_knowledge(jsonl(article(1, title="반품 안내")))
    section = Page.objects.get(slug="반품-안내").get_parent()
    by_hand = ArticlePage(title="반품 안내", summary="관리 화면에서 만든 문서")
    section.add_child(instance=by_hand)
    assert by_hand.slug == "반품-안내-2"

    report = import_knowledge(jsonl(*[article(n, title="반품 안내") for n in (2, 3)]))

    assert report.created == 2
    slugs = list(section.get_children().order_by("path").values_list("slug", flat=True))
    assert slugs == ["반품-안내", "반품-안내-2", "반품-안내-3", "반품-안내-4"]
