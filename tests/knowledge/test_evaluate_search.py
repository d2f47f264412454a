import json

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_ids(knowledge):
    for key in ("refund", "delay", "coupon", "english"):
        page = knowledge[key]
        page.external_id = key.upper()
        page.save_revision().publish()
    return knowledge


def write(tmp_path, *lines):
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_prints_the_metrics_as_json(tmp_path, capsys, with_ids):
    questions = [
        {"query": "환불은 어떻게 해요", "expected": ["REFUND"]},
        {"query": "배송이 지연돼요", "expected": ["DELAY"]},
        {"query": "쿠폰 적용이 안돼요", "expected": ["COUPON"]},
        {"query": "존재하지 않는 질문", "expected": ["NOTHING"]},
    ]
    path = write(tmp_path, *(json.dumps(q, ensure_ascii=False) for q in questions))
    call_command("evaluate_search", path, json=True)
    last = capsys.readouterr().out.strip().splitlines()[-1]
    result = json.loads(last)
    assert set(result) == {
        "queries", "recall_at_1", "recall_at_5", "mrr", "p50_ms", "p95_ms", "cold_start_ms"
    }  # fmt: skip
    assert result["queries"] == 4
    assert result["recall_at_1"] == 0.75
    assert result["recall_at_5"] == 0.75
    assert result["mrr"] == 0.75
    assert result["p95_ms"] >= result["p50_ms"] > 0


def test_explain_shows_the_terms_rank_and_score_parts_of_a_miss(tmp_path, capsys, with_ids):
    question = {"query": "지연 보상 환불", "expected": ["REFUND"]}
    path = write(tmp_path, json.dumps(question, ensure_ascii=False))
    rankings = tmp_path / "rankings.jsonl"
    call_command("evaluate_search", path, explain=1, rankings=str(rankings))
    out = capsys.readouterr().out
    assert "query: 지연 보상 환불" in out
    assert "terms: 지연 보상 환불" in out
    assert "expected REFUND (단순 변심 환불): rank 2" in out
    assert "first DELAY (배송 지연 안내): rank 1" in out
    assert "    환불: 2 pages, idf 1.03, title=1 body=1 scripts=1, impact 1500" in out
    # A gram (two syllables of a word, marked #) shows where it adds.
    assert "    #환불: 2 pages, idf 0.52, title=1 body=1 scripts=1, impact 1500" in out
    row = json.loads(rankings.read_text(encoding="utf-8"))
    assert row == {"query": "지연 보상 환불", "top5": ["DELAY", "REFUND"]}


def test_human_output_lists_misses(tmp_path, capsys, with_ids):
    path = write(
        tmp_path, json.dumps({"query": "없는 내용", "expected": ["X"]}, ensure_ascii=False)
    )
    call_command("evaluate_search", path)
    out = capsys.readouterr().out
    assert "miss: 없는 내용" in out and "recall@1 0.000" in out


def test_a_bad_question_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="line 2"):
        call_command("evaluate_search", write(tmp_path, '{"query": "a", "expected": ["x"]}', "{}"))
