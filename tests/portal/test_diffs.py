"""portal.diffs: field by field, only what changed, as the reader reads it."""

import copy
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.utils import translation

from knowledge.models import AnswerScript
from portal.diffs import compare, version_diff, words_changed
from tests.knowledge.builders import policy, section
from tests.notices.builders import publish_notice
from tests.training.builders import lesson, publish_course, question

pytestmark = pytest.mark.django_db

SEOUL = timezone(timedelta(hours=9))


@pytest.fixture(autouse=True)
def korean():
    with translation.override("ko"):
        yield


def changed(old, new, fields, viewer):
    return {diff.name: diff for diff in compare(old, new, fields, viewer)}


def test_the_same_instant_in_another_offset_is_no_change(world):
    notice = publish_notice(everyone=True)
    old, new = copy.copy(notice), copy.copy(notice)
    old.effective_from = datetime(2026, 11, 26, 2, 52, 34, 498000, tzinfo=SEOUL)
    new.effective_from = datetime(2026, 11, 25, 17, 52, 34, 498000, tzinfo=UTC)
    assert changed(old, new, ["effective_from"], world.agent_a1.user) == {}


def test_times_are_shown_in_the_readers_zone(world):
    notice = publish_notice(everyone=True)
    old, new = copy.copy(notice), copy.copy(notice)
    old.acknowledge_by = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 09:00 in Seoul
    new.acknowledge_by = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    diff = changed(old, new, ["acknowledge_by"], world.agent_a1.user)["acknowledge_by"]
    assert diff.before.startswith("2026년 12월 1일") and "9:00" in diff.before
    assert diff.after.startswith("2026년 12월 2일")
    assert "+00:00" not in diff.before + diff.after


def test_amounts_choices_and_rich_text_paragraphs(world):
    page = policy(
        section("결제·환불"),
        "단순 변심 환불",
        "고객이 환불을 요청하는 경우",
        limit_amount_krw=5000,
    )
    old, new = copy.copy(page), copy.copy(page)
    old.conditions = "<p>영수증이 있어야 합니다.</p><p>수령 후 7일 이내</p>"
    new.conditions = "<p>영수증이 있어야 합니다.</p><p>수령 후 <b>14일</b> 이내</p>"
    new.limit_amount_krw = 7000
    new.authority = "team_lead"
    diffs = changed(old, new, page.reader_fields, world.agent_a1.user)
    assert (diffs["limit_amount_krw"].before, diffs["limit_amount_krw"].after) == (
        "5,000원",
        "7,000원",
    )
    assert diffs["authority"].after == "팀장 승인"
    lines = diffs["conditions"].lines
    assert [(line.status, str(line.html)) for line in lines] == [
        ("removed", "수령 후 7일 이내"),
        ("added", "수령 후 <b>14일</b> 이내"),
    ]
    assert diffs["conditions"].summary == "7일 → 14일"
    assert "title" not in diffs and "situation" not in diffs


def test_answer_scripts_per_channel(world):
    page = policy(section("결제·환불"), "환불", "환불 요청", script="전화 스크립트 1")
    page.scripts = [
        AnswerScript(channel="phone", text="전화 스크립트 1"),
        AnswerScript(channel="email", text="이메일 스크립트"),
    ]
    first = page.save_revision()
    first.publish()
    page.scripts = [
        AnswerScript(channel="phone", text="전화 스크립트 2"),
        AnswerScript(channel="chat", text="채팅 스크립트"),
    ]
    page.save_revision().publish()
    page.refresh_from_db()
    diff = version_diff(page, first.pk, world.agent_a1.user)
    scripts = next(d for d in diff.fields if d.name == "scripts")
    assert {(item.label, item.status) for item in scripts.items} == {
        ("전화", "changed"),
        ("채팅", "added"),
        ("이메일", "removed"),
    }
    phone = next(item for item in scripts.items if item.label == "전화")
    assert [(line.status, str(line.html)) for line in phone.lines] == [
        ("removed", "전화 스크립트 1"),
        ("added", "전화 스크립트 2"),
    ]
    assert diff.label == "버전 2 → 3"


def test_lessons_by_id_and_questions_without_their_answers(world):
    course = publish_course(lessons=2)
    first = course.live_revision_id
    lessons = list(course.lessons.raw_data)
    lessons[0]["value"]["body"] = [{"type": "text", "value": "<p>지연 보상은 3,000원입니다.</p>"}]
    kind, value = lesson("3강: 새 정책")
    lessons.append(
        {"type": kind, "value": {**value, "body": [{"type": "text", "value": "<p>새</p>"}]}}
    )
    course.lessons = lessons
    course.quiz = [question("환불 접수 기간은 며칠?", ["7일", "14일"], {1})]
    course.save_revision().publish()
    course.refresh_from_db()
    diff = version_diff(course, first, world.agent_a1.user)
    lessons_diff = next(d for d in diff.fields if d.name == "lessons")
    statuses = {item.label: item.status for item in lessons_diff.items}
    assert statuses["1강"] == "changed"
    assert statuses["3강: 새 정책"] == "added"
    quiz = next(d for d in diff.fields if d.name == "quiz")
    shown = " ".join(str(line.html) for item in quiz.items for line in item.lines)
    assert "14일" in shown
    assert "correct" not in shown.lower() and "True" not in shown


def test_words_changed():
    assert words_changed("수령 후 7일 이내", "수령 후 14일 이내") == "7일 → 14일"
    assert words_changed("a b", "c d e") == "a b → c d e"
