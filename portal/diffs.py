"""Readable differences between two versions of a page: what an agent reads mid-call.

One module for notices, policies, articles and lessons. Field by field, only what
changed, in the reader's words:

- dates and times in the reader's time zone and format; two instants that are the same
  moment (stored with different offsets) are not a change;
- amounts as "50,000원 → 70,000원"; choices by their label; yes/no;
- rich text compared paragraph by paragraph, each paragraph shown with its formatting;
- keyed parts (a policy's answer script per channel, a course's lessons, a notice's
  questions, linked pages) as added / removed / changed;
- a link to a page the reader may not open is never named (``portal.visibility``), and
  the right answers of a quiz are never shown.

Each page type lists what its readers see, in order, as ``reader_fields``; the labels are
the fields' own verbose names, or the page type's ``reader_labels`` for child rows.
``version_diff`` adds "버전 1 → 2" and who published when.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import models
from django.utils import formats, timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from wagtail.fields import RichTextField, StreamField
from wagtail.models import PageLogEntry
from wagtail.rich_text import expand_db_html

from portal.organisation.scoping import system_scope
from portal.visibility import visible

ADDED, REMOVED, CHANGED, SAME = "added", "removed", "changed", "same"
#: What Wagtail logs when a revision goes live: now, or at its scheduled time by beat.
PUBLISH_ACTIONS = ("wagtail.publish", "wagtail.publish.scheduled")


@dataclass
class Line:
    """One paragraph: kept, added or removed, as HTML safe to show."""

    status: str
    html: SafeString


@dataclass
class Item:
    """One keyed part of a field: a script, a lesson, a question, a linked page."""

    label: str
    status: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class FieldDiff:
    name: str
    label: str
    #: A single value that changed (dates, amounts, choices, short text).
    before: str = ""
    after: str = ""
    #: Paragraphs that changed (rich or long text).
    lines: list[Line] = field(default_factory=list)
    #: Keyed parts that were added, removed or changed.
    items: list[Item] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """The change in a few words, e.g. "7일 → 14일", for banners and lists."""
        if self.before or self.after:
            return f"{self.before or '—'} → {self.after or '—'}"
        removed = [strip_tags(line.html) for line in self.lines if line.status == REMOVED]
        added = [strip_tags(line.html) for line in self.lines if line.status == ADDED]
        if len(removed) == 1 and len(added) == 1:
            return words_changed(removed[0], added[0])
        if self.items:
            return ", ".join(f"{item.label} ({_status_label(item.status)})" for item in self.items)
        return ""


@dataclass
class VersionDiff:
    #: Which publish of the page each side is (1 for the first); None for a draft.
    before_number: int | None
    after_number: int | None
    published_by: str
    published_at: datetime | None
    fields: list[FieldDiff]

    @property
    def label(self) -> str:
        """ "버전 1 → 2" """
        before = self.before_number or "—"
        after = self.after_number or "—"
        return _("version %(before)s → %(after)s") % {"before": before, "after": after}

    @property
    def summary(self) -> str:
        return next((diff.summary for diff in self.fields if diff.summary), "")


# --- Comparing two page objects -------------------------------------------------------


def compare(old, new, field_names, viewer) -> list[FieldDiff]:
    """What changed from ``old`` to ``new`` (two versions of one page) in ``field_names``,
    as ``viewer`` may see it."""
    diffs = []
    for name in field_names:
        diff = _compare_field(type(new), name, old, new, viewer)
        if diff is not None:
            diffs.append(diff)
    return diffs


def _compare_field(model, name, old, new, viewer) -> FieldDiff | None:
    model_field = model._meta.get_field(name)
    # Child rows (a policy's scripts) have no label of their own: the page names them.
    label = getattr(model, "reader_labels", {}).get(name) or getattr(
        model_field, "verbose_name", name
    )
    diff = FieldDiff(name=name, label=_capitalise(str(label)))
    before, after = getattr(old, name, None), getattr(new, name, None)

    if isinstance(model_field, StreamField):
        diff.items, diff.lines = _compare_stream(before, after, viewer)
    elif isinstance(model_field, RichTextField):
        diff.lines = paragraph_lines(_rich_paragraphs(before), _rich_paragraphs(after))
    elif model_field.one_to_many or model_field.many_to_many:
        diff.items = _compare_related(model_field, before, after, viewer)
    elif isinstance(model_field, models.TextField) and _is_long(before, after):
        diff.lines = paragraph_lines(_text_paragraphs(before), _text_paragraphs(after))
    else:
        shown_before, shown_after = _value(model_field, old), _value(model_field, new)
        if _same_value(model_field, before, after) or shown_before == shown_after:
            return None
        diff.before, diff.after = shown_before, shown_after
    if not (diff.before or diff.after or diff.lines or diff.items):
        return None
    return diff


def _capitalise(label: str) -> str:
    return label[:1].upper() + label[1:]


def _is_long(before, after) -> bool:
    return any("\n" in (value or "") or len(value or "") > 120 for value in (before, after))


def _same_value(model_field, before, after) -> bool:
    if isinstance(before, datetime) and isinstance(after, datetime):
        # The same instant stored with another offset is no change.
        return before == after
    return before == after


def _value(model_field, page) -> str:
    """A single field's value as the reader reads it."""
    value = getattr(page, model_field.name, None)
    if value is None or value == "":
        return ""
    if model_field.choices:
        return str(getattr(page, f"get_{model_field.name}_display")())
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, int):
        return amount(value) if model_field.name.endswith("_krw") else f"{value:,}"
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def amount(value: int) -> str:
    """A sum of won, e.g. "50,000원"."""
    return _("%(amount)s won") % {"amount": f"{value:,}"}


# --- Paragraphs -----------------------------------------------------------------------

_BLOCK = re.compile(
    r"<(p|h[1-6]|li|blockquote|pre)(\s[^>]*)?>(.*?)</\1>|<hr\s*/?>", re.IGNORECASE | re.DOTALL
)


def _rich_paragraphs(html) -> list[tuple[str, str]]:
    """(text to compare, HTML to show) per paragraph of stored rich text."""
    if not html:
        return []
    shown = expand_db_html(str(html))
    paragraphs = []
    for match in _BLOCK.finditer(shown):
        if match.group(1) is None:
            continue
        tag, inner = match.group(1).lower(), match.group(3)
        text = " ".join(strip_tags(inner).split())
        if not text:
            continue
        prefix = "• " if tag == "li" else ""
        paragraphs.append((text, f"{prefix}{inner}"))
    if not paragraphs and strip_tags(shown).strip():
        text = " ".join(strip_tags(shown).split())
        paragraphs.append((text, escape(text)))
    return paragraphs


def paragraph_texts(html) -> list[str]:
    """The words of each paragraph of stored rich text, markup aside."""
    return [text for text, _html in _rich_paragraphs(html)]


def _text_paragraphs(text) -> list[tuple[str, str]]:
    return [
        (" ".join(part.split()), escape(part.strip()))
        for part in re.split(r"\n+", text or "")
        if part.strip()
    ]


def paragraph_lines(before, after) -> list[Line]:
    """The paragraphs removed and added between two lists of (text, html)."""
    matcher = difflib.SequenceMatcher(
        a=[text for text, _html in before], b=[text for text, _html in after], autojunk=False
    )
    lines = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        lines += [Line(REMOVED, mark_safe(html)) for _text, html in before[a1:a2]]  # noqa: S308
        lines += [Line(ADDED, mark_safe(html)) for _text, html in after[b1:b2]]  # noqa: S308
    return lines


def words_changed(before: str, after: str) -> str:
    """The words that differ between two versions of a sentence: "7일 → 14일"."""
    old, new = before.split(), after.split()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    changes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    if len(changes) != 1:
        return f"{before} → {after}"
    _op, a1, a2, b1, b2 = changes[0]
    return f"{' '.join(old[a1:a2]) or '—'} → {' '.join(new[b1:b2]) or '—'}"


def _status_label(status: str) -> str:
    return {ADDED: _("added"), REMOVED: _("removed"), CHANGED: _("changed")}.get(status, "")


# --- Keyed parts ----------------------------------------------------------------------


def _compare_related(model_field, before, after, viewer) -> list[Item]:
    """Child rows (scripts by channel, linked pages) or many-to-many choices."""
    # A child row's link to its parent is not what it says; any other page it names is.
    parent_key = model_field.field.name if model_field.one_to_many else None
    linked = "page" if parent_key != "page" else None
    old, new = _keyed_rows(before, viewer, linked), _keyed_rows(after, viewer, linked)
    return _compare_keyed(old, new)


def _keyed_rows(manager, viewer, linked) -> dict[str, tuple[str, list]]:
    """key -> (label, paragraphs) for each row of a child relation or m2m value."""

    if manager is None:
        return {}
    rows = list(manager.all()) if hasattr(manager, "all") else list(manager)
    links = linked and all(hasattr(row, f"{linked}_id") for row in rows)
    pages = [getattr(row, linked) for row in rows] if links else []
    seen_pages = {page.pk for page in visible(viewer, pages)} if pages else set()
    keyed = {}
    for row in rows:
        if links:
            # A linked page: named only to those who may open it.
            page = getattr(row, linked)
            if page.pk in seen_pages:
                keyed[f"page:{page.pk}"] = (page.title, [])
        elif hasattr(row, "channel") and hasattr(row, "text"):
            keyed[f"channel:{row.channel}"] = (
                str(row.get_channel_display()),
                _text_paragraphs(row.text),
            )
        else:
            keyed[f"{type(row).__name__}:{row.pk}"] = (str(row), [])
    return keyed


def _compare_keyed(old: dict, new: dict) -> list[Item]:
    items = []
    for key, (label, paragraphs) in new.items():
        if key not in old:
            items.append(Item(label, ADDED, paragraph_lines([], paragraphs)))
        elif old[key][1] != paragraphs or old[key][0] != label:
            items.append(Item(label, CHANGED, paragraph_lines(old[key][1], paragraphs)))
    for key, (label, paragraphs) in old.items():
        if key not in new:
            items.append(Item(label, REMOVED, paragraph_lines(paragraphs, [])))
    return items


def _compare_stream(before, after, viewer) -> tuple[list[Item], list[Line]]:
    """Lessons and questions keyed by their block ids; any other stream (an article's
    body) compared as one run of paragraphs."""
    blocks_before, blocks_after = list(before or []), list(after or [])
    keyed_types = {"lesson", "question"}
    if any(block.block_type in keyed_types for block in blocks_before + blocks_after):
        old = {block.id: _keyed_block(block, viewer) for block in blocks_before}
        new = {block.id: _keyed_block(block, viewer) for block in blocks_after}
        return _compare_keyed(old, new), []
    return [], paragraph_lines(
        stream_paragraphs(blocks_before, viewer), stream_paragraphs(blocks_after, viewer)
    )


def _keyed_block(block, viewer) -> tuple[str, list]:
    value = block.value
    if block.block_type == "lesson":
        return value["title"], stream_paragraphs(value["body"], viewer)
    # A question: its wording and its answers' wording; never which answer is right.
    choices = value.get("choices") or value.get("options") or []
    paragraphs = [(f"- {choice['text']}", escape(f"• {choice['text']}")) for choice in choices]
    return value["question"], paragraphs


def stream_paragraphs(stream, viewer) -> list[tuple[str, str]]:
    """The paragraphs of an article-like stream: text, callouts, FAQs, the titles of the
    documents, images and policies it shows (policies only those ``viewer`` may open)."""

    paragraphs = []
    for block in stream or []:
        kind, value = block.block_type, block.value
        if kind == "text":
            paragraphs += _rich_paragraphs(value.source)
        elif kind == "callout":
            paragraphs += _rich_paragraphs(value["text"].source)
        elif kind == "faq":
            for item in value["items"]:
                question = item["question"]
                paragraphs.append((question, f"<strong>{escape(question)}</strong>"))
                paragraphs += _rich_paragraphs(item["answer"].source)
        elif kind == "related_policies":
            for policy in visible(viewer, value["policies"]):
                paragraphs.append((f"→ {policy.title}", escape(f"→ {policy.title}")))
        elif kind == "document" and value is not None:
            paragraphs.append((f"📄 {value.title}", escape(f"📄 {value.title}")))
        elif kind == "image" and value.get("image") is not None:
            caption = value.get("caption") or value["image"].title
            paragraphs.append((f"🖼 {caption}", escape(f"🖼 {caption}")))
        elif kind == "video" and value is not None:
            paragraphs.append((f"▶ {value.url}", escape(f"▶ {value.url}")))
    return paragraphs


# --- Versions -------------------------------------------------------------------------


def version_number(page, revision_id: int) -> int | None:
    """Which publish of ``page`` made ``revision_id`` live (1 for the first), if any."""

    published = list(
        PageLogEntry.objects.filter(page=page, action__in=PUBLISH_ACTIONS, revision__isnull=False)
        .order_by("timestamp", "pk")
        .values_list("revision_id", flat=True)
    )
    numbers = {}
    for number, published_revision in enumerate(dict.fromkeys(published), start=1):
        numbers[published_revision] = number
    return numbers.get(revision_id)


def version_diff(page, revision_id: int, viewer, fields=None) -> VersionDiff | None:
    """What changed in ``page`` (as live now) since ``revision_id``; None if that
    revision is gone. ``fields`` defaults to the page type's ``reader_fields``."""

    revision = page.revisions.filter(pk=revision_id).first()
    if revision is None:
        return None
    # Rebuilding an old revision loads its related rows (e.g. audience vendors), whoever
    # asks; only the reader's fields are compared, with the reader's visibility.
    with system_scope("rebuilds an old revision whatever its audience"):
        old = revision.as_object()
    names = fields if fields is not None else type(page).reader_fields
    before_number = version_number(page, revision_id)
    after_number = version_number(page, page.live_revision_id)
    entry = (
        PageLogEntry.objects.filter(
            page=page, action__in=PUBLISH_ACTIONS, revision_id=page.live_revision_id
        )
        .select_related("user")
        .order_by("-timestamp")
        .first()
    )
    return VersionDiff(
        before_number=before_number,
        after_number=after_number,
        published_by=entry.user.get_full_name() if entry and entry.user else "",
        published_at=entry.timestamp if entry else page.last_published_at,
        fields=compare(old, page, names, viewer),
    )
