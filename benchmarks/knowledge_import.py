"""Time ``import_knowledge`` on a generated JSON Lines file.

    .venv/bin/python benchmarks/knowledge_import.py [--lines 10000]

Last line: {"lines": N, "seconds": ..., "reimport_seconds": ..., "queries_per_line": ...};
``queries_per_line`` is the first import's SQL statements divided by its lines.
"""

import argparse
import json
import time

from _django import benchmark_database


def lines(count: int) -> str:
    sections = ["결제·환불/환불", "주문·배송/배송", "쿠폰·적립금", "멤버십", "계정·개인정보"]
    rows = []
    for i in range(count):
        kind = "policy" if i % 4 == 0 else "article"
        item = {
            "external_id": f"bench-{i}",
            "kind": kind,
            "title": f"안내 문서 {i}",
            "section": sections[i % len(sections)],
            "body": f"## 안내 {i}\n\n환불이나 교환 요청은 **{i % 7 + 1}일** 안에 처리합니다.",
            "tags": ["환불", "교환"][: i % 3],
        }
        if kind == "policy":
            item |= {"authority": "agent_reports", "limit_amount_krw": 10000 + i}
        rows.append(json.dumps(item, ensure_ascii=False))
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=10_000)
    args = parser.parse_args()
    with benchmark_database(name="portal_bench_knowledge_import") as connection:
        from home.site_tree import ensure_site_tree
        from knowledge.importing import import_knowledge

        ensure_site_tree()
        text = lines(args.lines)

        def progress(done, total):
            if done % 1000 == 0:
                print(f"  {done}/{total}", flush=True)

        statements = 0

        def count(execute, *args):
            nonlocal statements
            statements += 1
            return execute(*args)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            report = import_knowledge(text, progress=progress)
        seconds = time.perf_counter() - started
        assert report.ok and report.created == args.lines, report.errors[:3]
        started = time.perf_counter()
        again = import_knowledge(text)
        reimport = time.perf_counter() - started
        # The same file again: every line is recognised as unchanged, nothing is written.
        assert again.ok and again.unchanged == args.lines, (again.updated, again.unchanged)
        print(json.dumps({"lines": args.lines, "seconds": round(seconds, 1),
                          "reimport_seconds": round(reimport, 1),
                          "queries_per_line": round(statements / args.lines, 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
