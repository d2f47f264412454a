"""Knowledge search latency at scale.

    .venv/bin/python benchmarks/search.py [--documents 100000] [--queries 300]
        [--questions short|long] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python benchmarks/search.py

Generates N Korean and English articles (pages written in bulk, then indexed in one bulk
pass with the same Korean analysis as real content), runs questions through
``search_knowledge`` as an agent would, and prints, as its last line,
{"documents": N, "p50_ms": ..., "p95_ms": ...}. ``--questions short`` asks two- to
four-word queries; ``long`` asks questions as agents type them mid-call: 8 to 15 content
words mixing rare ones (a product) with words most pages hold (고객, 기준, 확인...).
"""

import argparse
import json
import random
import time
from collections import Counter

from _django import benchmark_database

TOPICS = [
    "환불",
    "교환",
    "배송",
    "새벽배송",
    "쿠폰",
    "적립금",
    "멤버십",
    "결제",
    "회원탈퇴",
    "개인정보",
]
TOPICS += [
    "선물포장",
    "가전설치",
    "신선식품",
    "VIP",
    "카카오톡",
    "영수증",
    "할부",
    "반품",
    "주소변경",
]
ACTIONS = ["요청", "지연", "오류", "취소", "보상", "문의", "변경", "확인", "재발급", "누락"]
# Products give each document its own vocabulary, as in a real catalogue: 40 lines x 60
# items = 2,400 product names, each in a few dozen documents.
LINES = [
    "스마트",
    "프리미엄",
    "에코",
    "홈",
    "키즈",
    "뷰티",
    "펫",
    "프레시",
    "데일리",
    "골드",
    "그린",
    "시그니처",
    "클래식",
    "모던",
    "퓨어",
    "베이직",
    "플러스",
    "라이트",
    "맥스",
    "미니",
    "오가닉",
    "내추럴",
    "어반",
    "코지",
    "소프트",
    "하이브리드",
    "울트라",
    "에센셜",
    "로열",
    "써니",
    "블루",
    "화이트",
    "블랙",
    "실버",
    "로즈",
    "민트",
    "코랄",
    "올리브",
    "네이비",
    "베이지",
]
ITEMS = [
    "냉장고",
    "세탁기",
    "청소기",
    "커피머신",
    "유모차",
    "샴푸",
    "사료",
    "도시락",
    "텀블러",
    "매트리스",
    "이불",
    "베개",
    "에어컨",
    "선풍기",
    "가습기",
    "제습기",
    "공기청정기",
    "전자레인지",
    "밥솥",
    "믹서기",
    "토스터",
    "다리미",
    "드라이어",
    "면도기",
    "칫솔",
    "치약",
    "로션",
    "선크림",
    "립스틱",
    "향수",
    "운동화",
    "샌들",
    "가방",
    "지갑",
    "시계",
    "안경",
    "모자",
    "장갑",
    "목도리",
    "우산",
    "텐트",
    "의자",
    "책상",
    "소파",
    "식탁",
    "조명",
    "커튼",
    "러그",
    "화분",
    "수건",
    "컵",
    "접시",
    "냄비",
    "프라이팬",
    "칼",
    "도마",
    "쌀",
    "김치",
    "과일",
    "생수",
]
TEMPLATES = [
    "고객이 {p} {t} {a}을 하면 상담사는 {t} 기준을 먼저 확인합니다.",
    "{p} {t}{a} 건은 영업일 기준 3일 안에 처리해 드립니다.",
    "{t}이 {a}되었을 때는 사과하고 {p} 안내를 함께 드립니다.",
    "{p} {t} {a} 문의가 많아지면 팀장에게 알리고 공지를 확인합니다.",
    "{p}은 구매 후 30일 동안 {t} 규정이 적용됩니다.",
]
ENGLISH = [
    "Customers asking about {e} for the {p} should be told the rules first.",
    "When a {p} {e} is delayed, agents apologise and offer a voucher.",
    "The {p} {e} policy applies for thirty days after purchase.",
]
ENGLISH_WORDS = ["refund", "delivery", "coupon", "membership", "payment", "exchange", "invoice"]
ENGLISH_PRODUCTS = ["fridge", "washer", "vacuum", "stroller", "shampoo", "mattress", "kettle"]
QUERIES = [
    "환불은 어떻게 하나요", "배송이 지연됐어요", "쿠폰 적용이 안돼요", "멤버십 해지",
    "새벽배송 보상", "적립금이 누락됐어요", "회원 탈퇴 요청", "개인정보 문의", "반품 취소",
    "주소 변경하고 싶어요", "스마트 냉장고 환불", "프리미엄 매트리스 교환", "키즈 유모차 배송 지연",
    "에코 텀블러 쿠폰", "refund delayed", "coupon voucher", "membership payment",
    "stroller delivery", "mattress refund",
]  # fmt: skip


def document(rng: random.Random, i: int) -> tuple[str, str]:
    """One main topic and one product per document, now and then a second topic."""
    if i % 5 == 0:
        e = rng.choice(ENGLISH_WORDS)
        p = f"{rng.choice(ENGLISH_PRODUCTS)} {rng.randrange(100)}"
        text = " ".join(rng.choice(ENGLISH).format(e=e, p=p) for _ in range(4))
        return f"{p.title()} {e} guide", text
    topic = rng.choice(TOPICS)
    product = f"{rng.choice(LINES)} {rng.choice(ITEMS)}"
    sentences = []
    for _ in range(5):
        t = rng.choice(TOPICS) if rng.random() < 0.15 else topic
        sentences.append(rng.choice(TEMPLATES).format(p=product, t=t, a=rng.choice(ACTIONS)))
    return f"{product} {topic} {rng.choice(ACTIONS)} 안내", " ".join(sentences)


COMMON_WORDS = ["고객", "상담사", "기준", "확인", "안내", "처리", "영업일", "규정", "공지", "팀장"]
LONG_FRAMES = [
    "고객이 {p} {t} {a} 문의를 했는데 상담사는 {t2} 기준을 어떻게 확인하고 {c} 안내해야 하나요",
    "{p} {t} {a} 건으로 고객이 다시 연락했어요 영업일 기준 처리 기간과 {t2} {a2} 규정을 알려주세요",
    "{t} {a} 때문에 화가 난 고객에게 {p} {t2} 보상과 {c} 절차를 어떻게 안내하나요"
    " 팀장 확인이 필요한가요",
]


def long_question(rng: random.Random) -> str:
    """8-15 content words: one product (rare), topics and actions (common), and words
    nearly every page holds."""
    return rng.choice(LONG_FRAMES).format(
        p=f"{rng.choice(LINES)} {rng.choice(ITEMS)}",
        t=rng.choice(TOPICS),
        t2=rng.choice(TOPICS),
        a=rng.choice(ACTIONS),
        a2=rng.choice(ACTIONS),
        c=rng.choice(COMMON_WORDS),
    )


def create_documents(count: int, rng: random.Random) -> float:
    """Pages in bulk (the admin path takes ~30 ms a page), then the search index in one
    bulk pass (``searchindex.indexing.rebuild_from``), analysed as a page's text is."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone
    from wagtail.models import Locale, Page

    from home.site_tree import ensure_site_tree
    from knowledge.models import ArticlePage, KnowledgeIndexPage
    from searchindex.indexing import FIELDS, index_terms, rebuild_from

    home = ensure_site_tree()
    section = KnowledgeIndexPage(title="벤치마크")
    home.add_child(instance=section)
    article_type = ContentType.objects.get_for_model(ArticlePage)
    locale = Locale.get_default()
    now = timezone.now()
    started = time.perf_counter()
    analysed = []
    batch = 2000
    for offset in range(0, count, batch):
        pages, bodies = [], []
        for i in range(offset, min(count, offset + batch)):
            title, text = document(rng, i)
            slug = f"doc-{i}"
            pages.append(
                Page(
                    title=title, draft_title=title, slug=slug, content_type=article_type,
                    path=section.path + _step(i + 1), depth=section.depth + 1, numchild=0,
                    url_path=f"{section.url_path}{slug}/", live=True, locale=locale,
                    first_published_at=now, last_published_at=now,
                )
            )  # fmt: skip
            bodies.append(text)
        Page.objects.bulk_create(pages)
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO knowledge_articlepage (page_ptr_id, summary, external_id, owner_name,"
                " body) VALUES (%s, %s, %s, '', %s)",
                [
                    (page.pk, "", f"bench-{page.slug}", json.dumps([
                        {"type": "text", "value": f"<p>{text}</p>", "id": f"b{page.pk}"}
                    ], ensure_ascii=False))
                    for page, text in zip(pages, bodies, strict=True)
                ],
            )  # fmt: skip
        for page, text in zip(pages, bodies, strict=True):
            fields = dict.fromkeys(FIELDS, "") | {"title": page.title, "body": text}
            counts = {field: Counter(index_terms(value)) for field, value in fields.items()}
            analysed.append((page.pk, article_type.pk, counts))
        print(f"  {offset + len(pages)}/{count} documents", flush=True)
    Page.objects.filter(pk=section.pk).update(numchild=count)
    rebuild_from(analysed, progress=lambda message: print(f"  {message}", flush=True))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # As autovacuum would after a bulk load: without statistics the planner
            # expects a few thousand index entries and joins bitmaps it does not need,
            # and without the visibility map no index-only scan of the postings.
            cursor.execute("ANALYZE")
            for table in ("searchindex_posting", "searchindex_indexedpage", "searchindex_term"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


def _step(n: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digits = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        digits = alphabet[r] + digits
    return digits


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--questions", choices=["short", "long"], default="short")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the benchmark database, and reuse the documents a kept one already has",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="with --keep: start from an empty database"
    )
    args = parser.parse_args()
    rng = random.Random(2026)

    with benchmark_database(keep=args.keep, fresh=args.fresh) as connection:
        from knowledge.models import ArticlePage
        from knowledge.search import search_knowledge
        from portal.organisation.models import AgentProfile
        from tests.factories import TeamFactory, make_agent

        existing = ArticlePage.objects.filter(external_id__startswith="bench-").count()
        if existing == args.documents:
            seconds = 0.0
        else:
            if existing:
                raise SystemExit(f"the kept database has {existing} documents; run without --keep")
            seconds = create_documents(args.documents, rng)
        kept_agent = AgentProfile.objects.select_related("user").first()
        agent = kept_agent.user if kept_agent else make_agent(TeamFactory()).user
        search_knowledge(agent, "환불")  # warm up: Kiwi's model, connections
        if args.questions == "long":
            asked = [long_question(rng) for _ in range(args.queries)]
        else:
            asked = [QUERIES[n % len(QUERIES)] for n in range(args.queries)]
        latencies = []
        found = 0
        for question in asked:
            started = time.perf_counter()
            results = search_knowledge(agent, question)
            latencies.append((time.perf_counter() - started) * 1000)
            found += bool(results.hits)
        print(f"engine: {connection.vendor}; {args.documents} documents written and indexed in "
              f"{seconds:.0f} s; {args.questions} questions, e.g. {asked[-1]!r}; "
              f"{found}/{args.queries} found something")  # fmt: skip
        print(
            json.dumps(
                {
                    "documents": args.documents,
                    "p50_ms": round(percentile(latencies, 50), 1),
                    "p95_ms": round(percentile(latencies, 95), 1),
                }
            )
        )


if __name__ == "__main__":
    main()
