"""BM25F ranking properties, the pruning's exactness, and the index kept in step with
what is live. Scores are integers: the same corpus gives the same scores and order on
SQLite and PostgreSQL (CI runs these on PostgreSQL; ``make test`` without DATABASE_URL
on SQLite), which ``test_a_fixed_corpus_ranks_the_same_on_every_database`` pins."""

import random

import pytest

from knowledge.search import search_knowledge
from searchindex import ranking
from searchindex.indexing import FIELDS, index_terms, rebuild
from searchindex.models import Corpus, IndexedPage, Posting, Term
from tests.knowledge.builders import article, section

pytestmark = pytest.mark.django_db


def ranked_titles(query, **kwargs):
    hits = ranking.rank(index_terms(query), **kwargs)
    titles = dict(IndexedPage.objects.values_list("page_id", "page__title"))
    return [titles[hit.page_id] for hit in hits]


def test_a_rare_matching_word_beats_a_common_one(db):
    shelf = section("용어")
    for n in range(6):
        article(shelf, f"배송 안내 {n}", "배송 배송 일정")
    article(shelf, "가", "배송 문의")
    article(shelf, "나", "쿠폰 문의")
    assert ranked_titles("배송 쿠폰")[0] == "나"


def test_a_short_page_beats_a_long_one_with_the_word_as_often(db):
    shelf = section("길이")
    filler = " ".join(f"단어{n}" for n in range(60))
    article(shelf, "긴 글", f"환불 {filler}")
    article(shelf, "짧은 글", "환불 안내")
    assert ranked_titles("환불")[:2] == ["짧은 글", "긴 글"]


def test_a_word_in_the_title_weighs_more_than_in_the_body(db):
    shelf = section("제목")
    article(shelf, "적립금 안내", "포인트 사용 방법")
    article(shelf, "포인트 안내", "적립금 사용 방법")
    assert ranked_titles("적립금")[0] == "적립금 안내"


def test_words_in_the_questions_order_rank_above_scattered_ones(db):
    shelf = section("구")
    article(shelf, "흩어진", "배송 문의가 오면 지연 여부를 봅니다")
    article(shelf, "붙은", "배송 지연 문의가 오면 여부를 봅니다")
    assert ranked_titles("배송 지연")[0] == "붙은"


def test_grams_lift_a_name_spelled_otherwise_but_never_find_a_page_alone(db):
    shelf = section("철자")
    article(shelf, "뉘르부르크링", "올해 경기의 우승자는 독일 팀입니다.")
    article(shelf, "다른 경기장", "올해 경기의 우승자는 일본 팀입니다.")
    article(shelf, "발송지 변경", "주소를 바꾸는 방법")
    assert ranked_titles("뉘루부르크링 우승자는?") == ["뉘르부르크링", "다른 경기장"]
    # 배송지연 shares only the piece 송지 with 발송지: no word matches, no hit.
    assert ranked_titles("배송지연") == []


def brute_force(query, limit):
    """Every page's score from every posting, with no pruning: the best pages on the
    query's words, the first ``RESCORE_WINDOW`` of them re-ranked with their grams."""
    on_words, on_grams = {}, {}
    for term in ranking.query_terms(index_terms(query)):
        scores = on_grams if term.is_gram else on_words
        for page_id, impact in Posting.objects.filter(term_id=term.term_id).values_list(
            "page_id", "impact"
        ):
            scores[page_id] = scores.get(page_id, 0) + term.weight * impact

    def best(scores):
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))

    found = best(on_words)[: max(limit, ranking.RESCORE_WINDOW)]
    window = {pk: score + on_grams.get(pk, 0) for pk, score in found[: ranking.RESCORE_WINDOW]}
    return [*best(window), *found[ranking.RESCORE_WINDOW :]][:limit]


#: (rare postings, head, rescoring window): tiny budgets force every path: rare terms read
#: in part, heads, the second pass, a rescoring window shallower than the list.
BUDGETS = [(20000, 100, 20), (3, 2, 5), (0, 1, 2), (12, 4, 1)]


def test_pruning_finds_exactly_the_best_pages(db, monkeypatch):
    rng = random.Random(7)
    # Particles give some pages grams their words do not have (환불은: 환불, 불은).
    words = ["환불", "배송", "쿠폰", "교환", "결제", "지연", "보상", "회원", "적립금은", "영수증을"]
    shelf = section("무작위")
    for n in range(40):
        text = " ".join(rng.choices(words, weights=range(10, 0, -1), k=rng.randint(2, 12)))
        article(shelf, f"문서 {n}", text)
    monkeypatch.setattr(ranking, "PARTIAL_READ", 1)
    for rare_postings, head, window in BUDGETS:
        monkeypatch.setattr(ranking, "RARE_POSTINGS", rare_postings)
        monkeypatch.setattr(ranking, "RESCORE_WINDOW", window)
        monkeypatch.setattr(ranking, "HEAD", head)
        for query in ["환불 보상", "배송 지연 보상 영수증", "환불", "적립금 영수증 회원 결제 교환"]:
            for limit in (1, 3, 7):
                expected = brute_force(query, limit)
                hits = ranking.rank(index_terms(query), limit=limit)
                got = [(hit.page_id, hit.score) for hit in hits]
                assert got == expected, (rare_postings, head, window, query, limit)


def test_a_fixed_corpus_ranks_the_same_on_every_database(db):
    shelf = section("고정")
    article(shelf, "단순 변심 환불", "고객이 단순 변심으로 환불을 요청하면 7일 안에 환불합니다.")
    article(shelf, "배송 지연 보상", "배송이 지연되면 보상 쿠폰을 드립니다. 지연 일수만큼.")
    article(shelf, "쿠폰 적용 오류", "쿠폰이 적용되지 않으면 결제 전에 쿠폰 코드를 확인합니다.")
    article(shelf, "교환 안내", "교환은 수령 후 14일 안에 요청할 수 있습니다. 환불도 같습니다.")
    hits = ranking.rank(index_terms("환불 요청 쿠폰"), limit=10)
    titles = dict(IndexedPage.objects.values_list("page_id", "page__title"))
    assert [(titles[hit.page_id], hit.score) for hit in hits] == [
        ("단순 변심 환불", 3317885),
        ("교환 안내", 2455310),
        ("쿠폰 적용 오류", 2062723),
        ("배송 지연 보상", 1160692),
    ]


def test_publishing_unpublishing_and_deleting_keep_the_index_in_step(db):
    shelf = section("유지")
    page = article(shelf, "환불 규정", "환불은 7일 안에")
    other = article(shelf, "배송 규정", "배송은 3일 안에")
    assert "환불 규정" in ranked_titles("환불")

    page.body = [("text", "<p>교환은 14일 안에</p>")]
    page.save_revision().publish()
    assert ranked_titles("교환") == ["환불 규정"]
    assert ranked_titles("7일") == []

    page.unpublish()
    assert ranked_titles("교환") == []
    assert not Term.objects.get(text="교환").pages

    other.delete()
    assert ranked_titles("배송") == []
    assert_totals_match_a_rebuild()


def assert_totals_match_a_rebuild():
    before = _snapshot()
    rebuild()
    assert _snapshot() == before


def _snapshot():
    corpus = Corpus.objects.get(pk=1)
    return (
        corpus.pages,
        [getattr(corpus, f"{field}_length") for field in FIELDS],
        sorted(Term.objects.filter(pages__gt=0).values_list("text", "pages")),
        sorted(Posting.objects.values_list("page_id", "term__text", "body_count", "title_count")),
    )


def test_only_pages_the_reader_may_open_are_ranked_and_the_list_stays_full(world):
    shelf = section("제한")
    hidden_shelf = section("온누리 전용", audience=[(world.vendor_b, None)])
    for n in range(3):
        article(hidden_shelf, f"숨은 환불 {n}", "환불 환불 환불 안내")
    for n in range(12):
        article(shelf, f"환불 {n}", "환불 안내 " + "기타 " * n)
    hits = search_knowledge(world.agent_a1.user, "환불", per_page=10)
    assert (hits.total, hits.complete, len(hits.hits)) == (10, False, 10)
    assert not any(hit.page.title.startswith("숨은") for hit in hits.hits)
    second = search_knowledge(world.agent_a1.user, "환불", per_page=10, page=2)
    assert (second.total, second.complete, len(second.hits)) == (12, True, 2)
    assert not any(hit.page.title.startswith("숨은") for hit in second.hits)
    assert search_knowledge(world.agent_b1.user, "환불", per_page=20).total == 15


def test_a_page_moved_under_a_restricted_section_is_hidden_at_once(world):
    open_shelf = section("공개")
    closed = section("한결 전용", audience=[(world.vendor_a, None)])
    page = article(open_shelf, "적립금 소멸", "적립금은 1년 뒤 소멸합니다")
    assert search_knowledge(world.agent_b1.user, "적립금").total == 1
    page.move(closed, pos="last-child")
    assert search_knowledge(world.agent_b1.user, "적립금").total == 0
    assert search_knowledge(world.agent_a1.user, "적립금").total == 1


def test_an_index_written_by_an_older_analysis_is_rebuilt_when_migrating(db):
    from django.apps import apps

    from searchindex.indexing import ANALYSIS
    from searchindex.signal_handlers import build_after_migrate

    shelf = section("이전 색인")
    article(shelf, "뉘르부르크링", "경기장 안내")
    # As the first analysis left it: no grams, and the corpus says so.
    Posting.objects.filter(term__text__startswith="#").delete()
    Corpus.objects.filter(pk=1).update(analysis=1)
    build_after_migrate(sender=None, app_config=apps.get_app_config("searchindex"))
    assert Corpus.objects.get(pk=1).analysis == ANALYSIS
    assert Posting.objects.filter(term__text="#부르").exists()
    assert_totals_match_a_rebuild()


def test_paging_through_a_rescored_list_neither_repeats_nor_skips_a_hit(world, monkeypatch):
    monkeypatch.setattr(ranking, "RESCORE_WINDOW", 7)
    shelf = section("페이지")
    for n in range(23):
        # Grams of the particles (환불은, 환불을...) reorder pages within the window.
        particle = ["은", "을", "이", "도"][n % 4]
        article(shelf, f"환불 안내 {n}", f"환불{particle} 처리 " + "기타 " * (n % 5))
    seen = []
    for number in (1, 2, 3):
        results = search_knowledge(world.agent_a1.user, "환불은 어떻게", per_page=5, page=number)
        seen += [hit.page.pk for hit in results.hits]
    assert len(seen) == len(set(seen)) == 15
