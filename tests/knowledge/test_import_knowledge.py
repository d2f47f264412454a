"""import_knowledge: idempotent by external_id, all or nothing, HTML or Markdown, bounded lines."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page

from knowledge import importing
from knowledge.importing import import_knowledge
from knowledge.models import AnswerPolicyPage, ArticlePage, VisionPage

from .builders import POLICY_LINE, jsonl

pytestmark = pytest.mark.django_db


ARTICLE = {
    "external_id": "A-1",
    "title": "교환 안내",
    "body": "# 교환\n\n수령 후 **7일** 이내 교환 <script>alert(1)</script>",
    "kind": "article",
    "tags": ["교환"],
    "section": "주문·배송/교환",
}
POLICY = POLICY_LINE
VISION = {
    "external_id": "V-1",
    "title": "우리의 비전",
    "body": "고객의 시간을 아낍니다.",
    "kind": "vision",
}


def test_imports_each_kind_and_publishes():
    report = import_knowledge(jsonl(ARTICLE, POLICY, VISION))
    assert (report.ok, report.created, report.updated) == (True, 3, 0)
    article = ArticlePage.objects.get(external_id="A-1")
    assert article.live
    assert article.get_parent().title == "교환"
    assert article.get_parent().get_parent().title == "주문·배송"
    html = str(article.body[0].value)
    assert "<strong>7일</strong>" in html or "<b>7일</b>" in html
    assert "<script>" not in html
    assert list(article.tags.names()) == ["교환"]
    policy = AnswerPolicyPage.objects.get(external_id="P-1")
    assert (policy.authority, policy.limit_amount_krw) == ("agent", 6000)
    assert [s.channel for s in policy.scripts.all()] == ["phone"]
    assert VisionPage.objects.get().external_id == "V-1"


def test_reimport_updates_and_never_duplicates():
    import_knowledge(jsonl(ARTICLE, POLICY))
    pages = Page.objects.count()
    report = import_knowledge(jsonl({**ARTICLE, "title": "교환 안내 (개정)"}, POLICY))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Page.objects.count() == pages
    assert ArticlePage.objects.get(external_id="A-1").title == "교환 안내 (개정)"


def test_reimporting_the_same_file_writes_no_revision():
    from wagtail.models import Revision

    import_knowledge(jsonl(ARTICLE, POLICY))
    revisions = Revision.objects.count()
    report = import_knowledge(jsonl(ARTICLE, POLICY))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert Revision.objects.count() == revisions
    # A draft import of the same lines saves a draft revision; the live page stays.
    assert import_knowledge(jsonl(ARTICLE), publish=False).updated == 1


def test_draft_import_is_not_live():
    import_knowledge(jsonl(ARTICLE), publish=False)
    assert not ArticlePage.objects.get(external_id="A-1").live


def test_a_bad_file_imports_nothing_and_lists_every_bad_line():
    import_knowledge(jsonl(ARTICLE))
    pages = Page.objects.count()
    text = "\n".join(
        [
            json.dumps(POLICY, ensure_ascii=False),  # fine on its own
            "{not json",
            json.dumps({"title": "제목만"}),
            json.dumps({**POLICY, "external_id": "P-2", "authority": "boss"}, ensure_ascii=False),
            json.dumps({**ARTICLE, "kind": "policy"}, ensure_ascii=False),  # kind changed
            json.dumps(POLICY, ensure_ascii=False),  # duplicate external_id
            "[1, 2]",
        ]
    )
    report = import_knowledge(text)
    assert [error.line for error in report.errors] == [2, 3, 4, 5, 6, 7]
    assert Page.objects.count() == pages
    assert not AnswerPolicyPage.objects.exists()


def test_the_command(tmp_path, capsys):
    path = tmp_path / "knowledge.jsonl"
    path.write_text(jsonl(ARTICLE, POLICY), encoding="utf-8")
    call_command("import_knowledge", str(path))
    assert "2 created" in capsys.readouterr().out
    path.write_text("oops\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_knowledge", str(path))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_knowledge", str(tmp_path / "missing.jsonl"))


class RecordingStream(io.BytesIO):
    """A file that remembers how much each read asked for."""

    def __init__(self, data):
        super().__init__(data)
        self.asked = []

    def readline(self, size=-1):
        self.asked.append(size)
        return super().readline(size)

    def read(self, size=-1):
        self.asked.append(size)
        return super().read(size)


@pytest.mark.usefixtures("english")
def test_an_oversized_line_is_refused_by_number_and_nothing_is_imported():
    huge = {**POLICY, "external_id": "P-9", "body": "가" * (importing.MAX_LINE_BYTES // 3 + 1)}
    stream = RecordingStream(jsonl(ARTICLE, huge, VISION).encode())
    report = import_knowledge(stream)
    assert not report.ok
    [error] = report.errors
    assert error.line == 2
    assert f"at most {importing.MAX_LINE_BYTES} bytes" in str(error)
    assert not Page.objects.filter(title__in=[ARTICLE["title"], VISION["title"]]).exists()
    # Never a read of the whole line, nor of the whole file.
    assert all(0 < size <= importing.MAX_LINE_BYTES + 1 for size in stream.asked)


def test_the_limit_counts_the_line_ending(monkeypatch):
    line = json.dumps(VISION, ensure_ascii=False).encode() + b"\n"
    monkeypatch.setattr(importing, "MAX_LINE_BYTES", len(line))
    assert import_knowledge(io.BytesIO(line)).ok
    monkeypatch.setattr(importing, "MAX_LINE_BYTES", len(line) - 1)
    report = import_knowledge(io.BytesIO(line + line))
    assert [error.line for error in report.errors] == [1, 2]


@pytest.mark.usefixtures("english")
def test_a_line_that_is_not_utf8_is_named():
    data = jsonl(ARTICLE).encode() + '{"title": "환불"}\n'.encode("cp949")
    report = import_knowledge(io.BytesIO(data))
    assert [(error.line, error.message) for error in report.errors] == [(2, "not UTF-8 text")]
    assert not ArticlePage.objects.exists()


def test_the_command_refuses_an_oversized_line(tmp_path, capsys):
    path = tmp_path / "knowledge.jsonl"
    with path.open("w", encoding="utf-8") as out:
        out.write(jsonl(ARTICLE))
        out.write('{"body": "' + "x" * (3 * importing.MAX_LINE_BYTES) + '"}\n')
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_knowledge", str(path))
    error = capsys.readouterr().err
    assert error.startswith("2번째 줄:")  # line 2, in the command's Korean
    assert str(importing.MAX_LINE_BYTES) in error
    assert not ArticlePage.objects.exists()


def test_a_utf8_bom_is_allowed(tmp_path, capsys):
    path = tmp_path / "knowledge.jsonl"
    path.write_text(jsonl(ARTICLE), encoding="utf-8-sig")
    call_command("import_knowledge", str(path))
    assert "1 created" in capsys.readouterr().out


def test_a_policy_carries_its_per_customer_limit_and_start():
    from datetime import date

    limited = {**POLICY, "limit_times_per_customer": 2, "limit_window_days": 30}
    import_knowledge(jsonl({**limited, "effective_from": "2026-11-01"}))
    policy = AnswerPolicyPage.objects.get(external_id="P-1")
    assert (policy.limit_times_per_customer, policy.limit_window_days) == (2, 30)
    assert policy.effective_from == date(2026, 11, 1)
    bad = [
        {**POLICY, "external_id": "P-2", "limit_times_per_customer": 0},
        {**POLICY, "external_id": "P-3", "limit_window_days": "30"},
        {**POLICY, "external_id": "P-4", "effective_from": "11/01/2026"},
    ]
    report = import_knowledge(jsonl(*bad))
    assert [error.line for error in report.errors] == [1, 2, 3]
    assert AnswerPolicyPage.objects.count() == 1
