"""Korean-aware search: particles, endings and spacing; English stemming; restrictions;
notices and courses beside the knowledge pages, with their kinds counted."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from knowledge.search import search_knowledge
from notices.models import ChangeNoticePage
from portal.publishing import publish_again
from searchindex.korean import terms
from tests.knowledge.builders import article, policy, section
from tests.notices.builders import publish_notice
from tests.training.builders import lesson, publish_course

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("환불은 어떻게 하나요", ["환불"]),
        ("환불해 드립니다", ["환불"]),
        ("배송지연보상", ["배송", "지연", "보상"]),
        ("배송 지연 보상", ["배송", "지연", "보상"]),
        ("Refunds for VIP customers", ["refund", "vip", "custom"]),
    ],
)
def test_the_analyser_keeps_content_morphemes(text, expected):
    assert terms(text) == expected


#: Questions as agents type them, and the page each must find in its first two hits
#: (the live Elasticsearch suite asks the same).
QUESTIONS_AND_PAGES = [
    ("환불", "단순 변심 환불"),
    ("환불은 어떻게 해요?", "단순 변심 환불"),
    ("환불해 드려도 되나요", "단순 변심 환불"),
    ("배송지연", "배송 지연 안내"),
    ("배송이 늦어요 지연", "배송 지연 안내"),
    ("쿠폰이 안 돼요", "쿠폰 적용 오류"),
    ("refunds overseas", "Refund policy for overseas customers"),
    ("customer refund", "Refund policy for overseas customers"),
]


def found(user, query, **kwargs):
    return [hit.page.title for hit in search_knowledge(user, query, **kwargs).hits]


@pytest.mark.parametrize(
    ("query", "title"),
    QUESTIONS_AND_PAGES,
)
def test_korean_and_english_queries_find_the_right_page(world, knowledge, query, title):
    assert title in found(world.agent_a1.user, query)[:2]


def test_filters_by_kind_and_tag(world, knowledge):
    agent = world.agent_a1.user
    assert found(agent, "환불", kind="policy") == ["단순 변심 환불"]
    assert "단순 변심 환불" not in found(agent, "환불", kind="article")
    assert found(agent, "", tag="배송") == ["배송 지연 안내"]


def test_search_respects_audiences(world, knowledge):
    only_b = section("온누리 전용", audience=[(world.vendor_b, None)])
    article(only_b, "온누리 환불 특례", "온누리 상담사만 보는 환불 특례")
    assert "온누리 환불 특례" not in found(world.agent_a1.user, "환불 특례")
    assert "온누리 환불 특례" in found(world.agent_b1.user, "환불 특례")
    results = search_knowledge(world.agent_a1.user, "특례")
    assert results.total == 0


def test_snippets_mark_the_matches(world, knowledge):
    hit = search_knowledge(world.agent_a1.user, "지연 보상").hits[0]
    assert "<mark>지연</mark>" in hit.snippet


def test_pagination(world, knowledge):
    payments = knowledge["payments"]
    for n in range(12):
        article(payments, f"환불 사례 {n}", "환불 사례 모음")
    # A page ranks only as deep as it shows (and one more): the first knows there is a
    # next, the last knows them all.
    first = search_knowledge(world.agent_a1.user, "환불 사례", kind="article", per_page=5)
    assert (first.total, first.complete, len(first.hits)) == (5, False, 5)
    assert first.num_pages == 2
    last = search_knowledge(world.agent_a1.user, "환불 사례", kind="article", per_page=5, page=3)
    assert (last.total, last.complete, last.num_pages, len(last.hits)) == (12, True, 3, 2)
    listed = [hit.page.pk for n in (1, 2, 3) for hit in search_knowledge(
        world.agent_a1.user, "환불 사례", kind="article", per_page=5, page=n
    ).hits]  # fmt: skip
    assert len(set(listed)) == 12


def test_a_ranking_that_stops_early_still_counts_notices_and_courses(client, world, knowledge):
    payments = knowledge["payments"]
    for n in range(6):
        article(payments, f"환불 사례 {n}", "환불 사례 모음 환불 환불")
    notice = refund_notice(everyone=True)
    publish_course("환불 정책 교육")
    agent = world.agent_a1.user

    results = search_knowledge(agent, "환불", per_page=2)
    assert not results.complete and results.total == 2
    facets = {facet.kind: (facet.count, facet.complete) for facet in results.facets}
    # Notices and courses are counted in full; articles and policies as far as ranked.
    assert facets["notice"] == (1, True) and facets["course"] == (1, True)
    assert not facets["article"][1] and not facets["policy"][1]
    assert notice.title in {hit.page.title for hit in search_knowledge(
        agent, "환불", kind="notice", per_page=2
    ).hits}  # fmt: skip

    client.force_login(agent)
    data = client.get(reverse("knowledge:search_json"), {"q": "환불"}).json()
    assert data["complete"] is True and data["total"] == sum(data["facets"].values())
    assert set(data["facets_complete"]) == set(data["facets"])


def test_the_search_page_and_json(client, world, knowledge):
    client.force_login(world.agent_a1.user)
    page = client.get(reverse("knowledge:search"), {"q": "환불은"})
    assert page.status_code == 200
    assert "단순 변심 환불" in page.text
    data = client.get(reverse("knowledge:search_json"), {"q": "환불은", "kind": "policy"}).json()
    assert data["total"] == 1
    assert data["results"][0]["title"] == "단순 변심 환불"
    assert data["results"][0]["kind"] == "policy"


def test_search_needs_a_login(client, knowledge):
    assert client.get(reverse("knowledge:search_json"), {"q": "환불"}).status_code == 302


def test_the_search_page_uses_a_fixed_number_of_queries(
    client, world, knowledge, django_assert_max_num_queries
):
    client.force_login(world.agent_a1.user)
    url = reverse("knowledge:search")
    client.get(url, {"q": "환불"})
    with django_assert_max_num_queries(25):
        client.get(url, {"q": "환불"})


def test_the_tag_list_names_only_tags_of_pages_the_reader_may_open(client, world, knowledge):
    only_b = section("온누리 전용", audience=[(world.vendor_b, None)])
    article(only_b, "온누리 프로모션", "온누리 전용", tags=["온누리-12월-프로모션"])
    draft = article(knowledge["payments"], "초안", "초안", tags=["미공개-신상품"])
    draft.unpublish()
    client.force_login(world.agent_a1.user)
    text = client.get("/knowledge/search/").text
    assert "환불" in text
    assert "온누리-12월-프로모션" not in text
    assert "미공개-신상품" not in text
    client.force_login(world.agent_b1.user)
    assert "온누리-12월-프로모션" in client.get("/knowledge/search/").text


# Notices and courses ------------------------------------------------------------------


def hits(user, query, **kwargs):
    return {hit.page.title: hit for hit in search_knowledge(user, query, **kwargs).hits}


def refund_notice(**kwargs):
    return publish_notice(
        kwargs.pop("title", "환불 접수 기간 변경: 7일 → 14일"),
        summary="단순 변심 환불 접수 기간이 수령 후 7일에서 14일로 늘어납니다.",
        changes="<p>단순 변심 환불은 <b>수령 후 14일</b> 이내 접수합니다.</p>",
        **kwargs,
    )


def delay_course(**kwargs):
    """A course whose second lesson is about delay compensation."""
    course = publish_course("상품·서비스 기본 교육", **kwargs)
    return publish_again(
        course,
        material=False,
        lessons=[
            lesson("누리마켓 소개", "우리가 지키는 약속"),
            lesson("새벽배송과 배송 지연", "2시간 이상 지연되면 적립금 2,000원을 안내합니다."),
        ],
    )


def test_notices_and_courses_are_found_whatever_the_particles(world, knowledge):
    notice = refund_notice(everyone=True)
    course = delay_course()
    agent = world.agent_a1.user

    found_notice = hits(agent, "환불 접수 기간은요?")[notice.title]
    assert found_notice.kind == "notice"
    assert found_notice.url == notice.url
    assert "<mark>접수</mark>" in found_notice.snippet

    found_course = hits(agent, "적립금은 얼마나 드려요")[course.title]
    assert found_course.kind == "course"
    delay_lesson = course.lessons[1]
    # The match is in a lesson: the hit opens that lesson and names it.
    assert found_course.url == f"{course.url}lessons/{delay_lesson.id}/"
    assert found_course.lesson_title == "새벽배송과 배송 지연"
    assert "<mark>적립금</mark>" in found_course.snippet


def test_a_course_matched_by_its_own_title_opens_the_course(world, knowledge):
    course = delay_course()
    hit = hits(world.agent_a1.user, "기본 교육")[course.title]
    assert (hit.url, hit.lesson_title) == (course.url, "")


def test_quiz_questions_are_searched_but_never_their_answers(world, knowledge):
    course = publish_course("퀴즈만 있는 과정", lessons=1)  # "환불 접수 기간은?" 7일/14일/30일
    agent = world.agent_a1.user
    assert course.title in hits(agent, "접수 기간")
    assert course.title not in hits(agent, "30일")


def test_another_vendors_notices_and_courses_are_never_found(client, world, knowledge):
    notice_b = refund_notice(title="온누리 환불 특례 공지", vendors=[world.vendor_b])
    course_b = publish_course("온누리 환불 특례 교육", everyone=False, vendors=[world.vendor_b])
    for user in (world.agent_a1.user, world.lead_a1.user, world.manager_a.user):
        results = search_knowledge(user, "온누리 환불 특례")
        assert not {notice_b.title, course_b.title} & {hit.page.title for hit in results.hits}
        assert {facet.kind for facet in results.facets} <= {"policy", "article", "vision"}
    for user in (world.agent_b1.user, world.manager_b.user, world.client_manager):
        assert {notice_b.title, course_b.title} <= set(hits(user, "온누리 환불 특례"))

    client.force_login(world.agent_a1.user)
    data = client.get(reverse("knowledge:search_json"), {"q": "온누리 특례"}).json()
    assert data["total"] == 0
    assert data["facets"] == {}
    html = client.get(reverse("knowledge:search"), {"q": "온누리 특례"}).text
    assert notice_b.title not in html and course_b.title not in html


def test_notices_no_longer_in_effect_and_drafts_are_not_found(world, knowledge):
    now = timezone.now()
    ended = refund_notice(title="끝난 환불 프로모션", everyone=True)
    withdrawn = refund_notice(title="내려간 환불 공지", everyone=True)
    unpublished = refund_notice(title="게시 취소된 환불 공지", everyone=True)
    current = refund_notice(title="지금의 환불 공지", everyone=True)
    ChangeNoticePage.objects.filter(pk=ended.pk).update(
        effective_from=now - timedelta(days=9), effective_until=now - timedelta(minutes=1)
    )
    ChangeNoticePage.objects.filter(pk=withdrawn.pk).update(expire_at=now - timedelta(minutes=1))
    unpublished.unpublish()
    draft_course = publish_course("게시 취소된 환불 교육")
    draft_course.unpublish()

    for user in (world.agent_a1.user, world.client_manager):
        found = hits(user, "환불 공지 프로모션 교육")
        assert current.title in found
        assert not {ended.title, withdrawn.title, unpublished.title, draft_course.title} & set(
            found
        )


def test_the_kind_facet_counts_each_kind_for_the_query(client, world, knowledge):
    refund_notice(everyone=True)
    publish_course("환불 정책 교육")
    agent = world.agent_a1.user

    everything = search_knowledge(agent, "환불")
    counts = {facet.kind: facet.count for facet in everything.facets}
    assert counts == {"policy": 1, "notice": 1, "course": 1}
    assert everything.total == everything.total_all_kinds == 3
    # Choosing a kind narrows the list, not the counts: they agree with each other.
    notices = search_knowledge(agent, "환불", kind="notice")
    assert [hit.kind for hit in notices.hits] == ["notice"]
    assert {facet.kind: facet.count for facet in notices.facets} == counts

    client.force_login(agent)
    data = client.get(reverse("knowledge:search_json"), {"q": "환불", "kind": "course"}).json()
    assert data["facets"] == {"policy": 1, "notice": 1, "course": 1}
    found = [(hit["kind"], hit["title"]) for hit in data["results"]]
    assert found == [("course", "환불 정책 교육")]
    html = client.get(reverse("knowledge:search"), {"q": "환불", "kind": "notice"}).text
    facets = html.split('data-testid="kind-facets"')[1].split("</nav>")[0]
    assert "답변 정책" in facets and "공지" in facets and "교육" in facets
    assert 'href="?q=%ED%99%98%EB%B6%88&amp;kind=course"' in facets
    assert "비전" not in facets  # no vision page matches


def test_the_changed_rule_ranks_the_current_policy_and_its_notice_first(world, knowledge):
    current = policy(
        knowledge["payments"],
        "단순 변심 환불 접수 기간",
        "고객이 단순 변심으로 환불을 요청하는 경우",
        script="고객님, 수령 후 14일 이내 환불 접수가 가능합니다.",
    )
    notice = refund_notice(everyone=True)
    publish_course("환불 정책 교육")
    article(knowledge["payments"], "환불 수단별 처리 기간", "카드 환불은 3~7일, 계좌 환불은 1~2일.")

    top = [hit.page.pk for hit in search_knowledge(world.agent_a1.user, "환불 14일").hits[:2]]
    assert set(top) == {current.pk, notice.pk}


def test_searching_notices_and_courses_takes_a_fixed_number_of_queries(client, world, knowledge):
    refund_notice(everyone=True)
    publish_course("환불 교육")
    # More matches than the first page shows: the ranking stops, the counts go on.
    for n in range(12):
        article(knowledge["payments"], f"환불 사례 {n}", "환불 사례 모음")
    client.force_login(world.agent_a1.user)
    url = reverse("knowledge:search")
    client.get(url, {"q": "환불"})

    def queries():
        with CaptureQueriesContext(connection) as context:
            client.get(url, {"q": "환불"})
        return len(context.captured_queries)

    before = queries()
    for n in range(4):
        refund_notice(title=f"환불 공지 {n}", teams=[world.team_a1])
        refund_notice(title=f"다른 업체 환불 공지 {n}", vendors=[world.vendor_b])
        publish_course(f"환불 교육 {n}", everyone=False, teams=[world.team_a1])
        publish_course(f"다른 업체 환불 교육 {n}", everyone=False, vendors=[world.vendor_b])
    assert queries() == before
    # The few-pages kinds' counts, asked when the ranking stops early, take five more.
    assert before <= 45
