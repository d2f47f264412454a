"""A notice's questions, written before they shared the course quiz's block, read the same
after the data migration: "choices" become "options", and "multiple" says whether
several answers are right."""

import importlib

from wagtail.blocks.migrations.utils import apply_changes_to_raw_data

from notices.models import ChangeNoticePage

migration = importlib.import_module("notices.migrations.0005_one_question_block")


def _migrated(raw):
    field = ChangeNoticePage.understanding_check  # the descriptor, as MigrateStreamData passes it
    for operation in migration.Migration.operations:
        for change, path in getattr(operation, "operations_and_block_paths", []):
            raw = apply_changes_to_raw_data(raw, path, change, field)
    return raw


def _item(text, correct):
    return {"type": "item", "value": {"text": text, "correct": correct}, "id": text}


def test_old_questions_take_the_shared_schema():
    raw = [
        {
            "type": "question",
            "id": "q1",
            "value": {"question": "기간은?", "choices": [_item("7일", True), _item("3일", False)],
                      "explanation": ""},
        },
        {
            "type": "question",
            "id": "q2",
            # Older list data: plain values, two of them right.
            "value": {"question": "둘 다?", "choices": [{"text": "가", "correct": True},
                                                         {"text": "나", "correct": True}],
                      "explanation": "모두 고릅니다."},
        },
    ]  # fmt: skip
    single, both = _migrated(raw)
    assert single["value"] == {
        "question": "기간은?",
        "options": [_item("7일", True), _item("3일", False)],
        "explanation": "",
        "multiple": False,
    }
    assert both["value"]["multiple"] is True
    assert "choices" not in both["value"] and len(both["value"]["options"]) == 2
    assert (single["id"], both["id"]) == ("q1", "q2")
