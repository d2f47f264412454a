"""deferred_indexing: nothing is indexed inside the block, everything at its end, in bulk,
and nothing at all when the block fails."""

import pytest
from wagtail.models import ReferenceIndex
from wagtail.search.models import IndexEntry
from wagtail.signal_handlers import reference_index_auto_update_disabled

from searchindex.deferred import current, deferred_indexing
from searchindex.indexing import index_pages, rebuild
from searchindex.models import Corpus, IndexedPage, Posting, Term
from tests.knowledge.builders import article, section

pytestmark = pytest.mark.django_db


def indexed(page) -> tuple[bool, bool]:
    """In the portal's index, in Wagtail's search backend."""
    return (
        IndexedPage.objects.filter(page=page).exists(),
        IndexEntry.objects.filter(object_id=str(page.pk)).exists(),
    )


def snapshot():
    return (
        Corpus.objects.values().get(pk=1),
        dict(Term.objects.values_list("text", "pages")),
        sorted(Posting.objects.values_list("term__text", "page_id", "impact")),
    )


def test_pages_published_inside_the_block_are_indexed_when_it_ends():
    shelf = section("배송")
    with deferred_indexing() as deferred:
        first = article(shelf, "배송 지연 안내", "지연 보상 쿠폰을 드립니다.", tags=["배송"])
        second = article(shelf, "배송 조회", "송장 번호로 조회합니다.")
        assert indexed(first) == indexed(second) == (False, False)
        assert deferred.published_ids == {first.pk, second.pk}
    assert indexed(first) == indexed(second) == (True, True)
    assert ReferenceIndex.objects.filter(object_id=str(first.pk)).exists()  # its tag
    assert current() is None
    assert not getattr(reference_index_auto_update_disabled, "value", False)


def test_nested_blocks_index_once_at_the_outermost_end():
    shelf = section("쿠폰")
    with deferred_indexing() as outer:
        with deferred_indexing() as inner:
            page = article(shelf, "쿠폰 적용 오류", "유효 기간을 확인합니다.")
        assert inner is outer
        assert indexed(page) == (False, False)
    assert indexed(page) == (True, True)


def test_a_failing_block_indexes_nothing():
    shelf = section("환불")
    before = snapshot()
    with pytest.raises(RuntimeError), deferred_indexing():
        article(shelf, "환불 안내", "3영업일 안에 환불합니다.")
        raise RuntimeError("the import fails after its first page")
    assert snapshot() == before
    assert current() is None


def test_bulk_indexing_counts_as_a_rebuild_does_and_removes_what_is_no_longer_live():
    shelf = section("멤버십")
    pages = [article(shelf, f"멤버십 혜택 {n}", f"등급 {n} 혜택 안내") for n in range(4)]
    pages[0].unpublish()
    pages[1].title = "멤버십 등급 변경"
    pages[1].save_revision().publish()
    # Indexed again all at once: the unpublished page leaves, the others are rewritten.
    index_pages([page.pk for page in pages])
    assert not IndexedPage.objects.filter(page=pages[0]).exists()

    def counts():
        corpus, terms, postings = snapshot()
        held = {text: pages for text, pages in terms.items() if pages}
        return corpus, held, [posting[:2] for posting in postings]

    bulk = counts()
    rebuild()
    assert counts() == bulk
