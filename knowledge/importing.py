"""Knowledge import from JSON Lines: validate every line, then write all, or nothing.

One JSON object per line::

    {"external_id": "P-001", "title": "...", "body": "<p>HTML</p> or Markdown",
     "kind": "article" | "policy" | "vision", "tags": ["환불"], "section": "결제·환불/환불"}

Policies may also carry their structure: ``situation``, ``authority`` (agent,
agent_reports, team_lead, client), ``limit_amount_krw``, ``limit_times_per_customer`` and
``limit_window_days`` (e.g. 2 within 30), ``effective_from`` (YYYY-MM-DD), ``scripts``
({channel: text}).
Pages are matched by ``external_id``: a re-import updates them, never duplicates them.
A line may be at most ``MAX_LINE_BYTES`` (1 MiB) long, its line ending included.
"""

import io
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO

import markdown
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter
from wagtail.log_actions import get_active_log_context
from wagtail.models import Page, PageLogEntry, Revision, Site

from searchindex.deferred import DeferredIndexing, deferred_indexing

from .blocks import RICH_TEXT_FEATURES
from .elastic.sync import sync_after_commit
from .kinds import is_searched
from .models import (
    AnswerPolicyPage,
    AnswerScript,
    ArticlePage,
    AuthorityLevel,
    KnowledgeIndexPage,
    VisionPage,
)
from .verification import publisher_id

KIND_MODELS = {"article": ArticlePage, "policy": AnswerPolicyPage, "vision": VisionPage}
REQUIRED = ("external_id", "title", "body", "kind")
OPTIONAL = {
    "tags",
    "section",
    "summary",
    "situation",
    "authority",
    "limit_amount_krw",
    "limit_times_per_customer",
    "limit_window_days",
    "effective_from",
    "scripts",
}
CHANNELS = {code for code, _label in AnswerScript.CHANNELS}
#: The longest line accepted, in bytes of UTF-8, its line ending included. A page is far
#: shorter; a longer line is a mistake, and is refused without being held in memory.
MAX_LINE_BYTES = 1024 * 1024
#: Rows a bulk statement writes at once.
BULK = 500
_cleaner = None


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self):
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportReport:
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_knowledge(
    source: str | BinaryIO,
    *,
    publish: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import JSON Lines given as text or as a binary file, read one line at a time."""
    if isinstance(source, str):
        source = io.BytesIO(source.encode())
    report = ImportReport()
    items = _validate(read_lines(source), report)
    existing = _existing_pages([item["external_id"] for item in items])
    scheduled = _scheduled_changes(existing.values())
    report.errors += _conflicts(items, existing)
    report.errors += _would_override_scheduled(items, existing, scheduled)
    if not report.ok:
        report.errors.sort(key=lambda error: error.line)
        return report
    # Search and reference indexing wait for the end, and then take every page at once.
    with transaction.atomic(), deferred_indexing() as deferred:
        new_pages = _NewPages(publish=publish, deferred=deferred)
        sections: dict[str, Page] = {}
        for done, item in enumerate(items, start=1):
            page = existing.get(item["external_id"])
            if page is None:
                _create(item, sections, new_pages)
                report.created += 1
            elif _update(page, item, publish, scheduled=page.pk in scheduled):
                report.updated += 1
            else:
                report.unchanged += 1
            if progress:
                progress(done, len(items))
        new_pages.finish()
    return report


def read_lines(stream: BinaryIO) -> Iterator[tuple[int, str | LineError]]:
    """Each line with its number, decoded, or the reason it cannot be read.

    No read asks for more than ``MAX_LINE_BYTES`` (and one byte to tell a line that is
    too long), so a huge line costs that much memory at most, however long it is.
    """
    number = 0
    while chunk := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(chunk) > MAX_LINE_BYTES:
            size = len(chunk)
            while not chunk.endswith(b"\n") and (chunk := stream.readline(MAX_LINE_BYTES + 1)):
                size += len(chunk)
            message = _("the line is %(size)d bytes long; at most %(limit)d bytes are accepted")
            yield number, LineError(number, message % {"size": size, "limit": MAX_LINE_BYTES})
            continue
        try:
            yield number, chunk.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            yield number, LineError(number, _("not UTF-8 text"))


def _validate(lines: Iterator[tuple[int, str | LineError]], report: ImportReport) -> list[dict]:
    items, seen = [], {}
    for number, raw in lines:
        if isinstance(raw, LineError):
            report.lines += 1
            report.errors.append(raw)
            continue
        if not raw.strip():
            continue
        report.lines += 1
        problems = []
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            report.errors.append(
                LineError(number, _("not valid JSON (%(error)s)") % {"error": exc.msg})
            )
            continue
        if not isinstance(item, dict):
            report.errors.append(LineError(number, _("each line must be one JSON object")))
            continue
        missing = [key for key in REQUIRED if not str(item.get(key) or "").strip()]
        if missing:
            problems.append(_("missing %(fields)s") % {"fields": ", ".join(missing)})
        unknown = set(item) - set(REQUIRED) - OPTIONAL
        if unknown:
            problems.append(_("unknown fields %(fields)s") % {"fields": ", ".join(sorted(unknown))})
        kind = item.get("kind")
        if kind and kind not in KIND_MODELS:
            problems.append(
                _("kind must be article, policy or vision, not “%(kind)s”") % {"kind": kind}
            )
        if len(str(item.get("title", ""))) > 255:
            problems.append(_("the title is longer than 255 characters"))
        tags = item.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
            problems.append(_("tags must be a list of words"))
        if "section" in item and not isinstance(item["section"], str):
            problems.append(_("section must be text, e.g. “결제·환불/환불”"))
        if kind == "policy":
            problems += _policy_problems(item)
        external_id = str(item.get("external_id") or "").strip()
        if external_id in seen:
            problems.append(
                _("external_id %(id)s appears again (first on line %(first)d)")
                % {"id": external_id, "first": seen[external_id]}
            )
        elif external_id:
            seen[external_id] = number
        if problems:
            report.errors.extend(LineError(number, problem) for problem in problems)
        else:
            item["external_id"] = external_id
            item["line"] = number
            items.append(item)
    if report.lines == 0:
        report.errors.append(LineError(0, _("the file has no lines to import")))
    return items


def _date(value):
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _policy_problems(item) -> list[str]:
    problems = []
    if "authority" in item and item["authority"] not in AuthorityLevel.values:
        problems.append(
            _("authority must be one of %(choices)s")
            % {"choices": ", ".join(AuthorityLevel.values)}
        )
    limit = item.get("limit_amount_krw")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        problems.append(_("limit_amount_krw must be a whole number of won"))
    for name in ("limit_times_per_customer", "limit_window_days"):
        value = item.get(name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 10_000
        ):
            problems.append(_("%(name)s must be a whole number from 1") % {"name": name})
    if "effective_from" in item and _date(item["effective_from"]) is None:
        problems.append(_("effective_from must be a date, YYYY-MM-DD"))
    scripts = item.get("scripts", {})
    if not isinstance(scripts, dict) or not all(
        channel in CHANNELS and isinstance(script, str) for channel, script in scripts.items()
    ):
        problems.append(_("scripts must map channels (phone, chat, email, messenger, sns) to text"))
    return problems


def _conflicts(items, existing) -> list[LineError]:
    """Problems only the database can reveal: a changed kind, a second vision page."""
    errors = []
    for item in items:
        page = existing.get(item["external_id"])
        if page is not None and not isinstance(page, KIND_MODELS[item["kind"]]):
            errors.append(
                LineError(
                    item["line"],
                    _("%(id)s is already imported as another kind of page")
                    % {"id": item["external_id"]},
                )
            )
    visions = [item for item in items if item["kind"] == "vision"]
    current = VisionPage.objects.first()
    for item in visions[1:]:
        errors.append(LineError(item["line"], _("there can be only one vision page")))
    if visions and current is not None and current.external_id != visions[0]["external_id"]:
        errors.append(
            LineError(
                visions[0]["line"], _("a vision page exists already; update it by its external_id")
            )
        )
    return errors


def _scheduled_changes(pages) -> dict[int, object]:
    """Page id -> when its scheduled revision goes live, for the pages that have one."""

    ids = [str(page.pk) for page in pages]
    rows = Revision.page_revisions.filter(
        object_id__in=ids, approved_go_live_at__isnull=False
    ).values_list("object_id", "approved_go_live_at")
    return {int(object_id): when for object_id, when in rows}


def _would_override_scheduled(items, existing, scheduled) -> list[LineError]:
    """A line that would change a page with a scheduled (announced) change is refused:
    publishing it now would cancel that change and contradict its notice."""
    errors = []
    for item in items:
        page = existing.get(item["external_id"])
        if page is None or page.pk not in scheduled:
            continue
        probe = type(page).objects.get(pk=page.pk)
        before = _fingerprint(probe)
        _fill(probe, item)
        if _fingerprint(probe) != before:
            when = timezone.localtime(scheduled[page.pk]).strftime("%Y-%m-%d %H:%M")
            errors.append(
                LineError(
                    item["line"],
                    _(
                        "%(id)s has a change scheduled for %(when)s; import this line once "
                        "it has taken effect, or withdraw that change first"
                    )
                    % {"id": item["external_id"], "when": when},
                )
            )
    return errors


def _existing_pages(external_ids: list[str]) -> dict[str, Page]:
    found = {}
    for model in KIND_MODELS.values():
        for page in model.objects.filter(external_id__in=external_ids):
            found[page.external_id] = page
    return found


def to_html(body: str) -> str:
    """HTML stays HTML, anything else is Markdown; then only the editor's features survive."""
    global _cleaner
    body = body.strip()
    html = body if body.startswith("<") else markdown.markdown(body)
    if _cleaner is None:
        _cleaner = EditorHTMLConverter(features=RICH_TEXT_FEATURES).whitelister
    return _cleaner.clean(html)


def _home(sections: dict) -> Page:
    """The home page, kept with the sections (as "") for the rest of the import."""
    if "" not in sections:
        sections[""] = Site.objects.get(is_default_site=True).root_page
    return sections[""]


def _section(path: str, cache: dict, new_pages: "_NewPages") -> Page:
    parent = _home(cache)
    walked = []
    for title in [part.strip() for part in path.split("/") if part.strip()]:
        walked.append(title)
        key = "/".join(walked)
        if key not in cache:
            child = KnowledgeIndexPage.objects.child_of(parent).filter(title=title).first()
            if child is None:
                child = KnowledgeIndexPage(title=title)
                new_pages.add(parent, child, publish=True)
            cache[key] = child
        parent = cache[key]
    return parent


def _fill(page, item) -> None:
    html = to_html(item["body"])
    page.title = item["title"].strip()
    page.summary = item.get("summary", "")
    if isinstance(page, ArticlePage):
        page.body = [("text", html)]
    elif isinstance(page, VisionPage):
        page.vision = html
    else:
        page.situation = item.get("situation") or page.title
        page.conditions = html
        page.authority = item.get("authority", AuthorityLevel.AGENT_REPORTS)
        page.limit_amount_krw = item.get("limit_amount_krw")
        page.limit_times_per_customer = item.get("limit_times_per_customer")
        page.limit_window_days = item.get("limit_window_days")
        if "effective_from" in item:
            page.effective_from = _date(item["effective_from"])
        page.scripts = [
            AnswerScript(channel=channel, text=text)
            for channel, text in item.get("scripts", {}).items()
        ]
    page.tags.set(item.get("tags", []))


def _create(item, sections, new_pages: "_NewPages") -> None:
    model = KIND_MODELS[item["kind"]]
    page = model(external_id=item["external_id"], title=item["title"].strip())
    _fill(page, item)
    if model is VisionPage:
        parent = _home(sections)
    else:
        parent = _section(item.get("section") or _("Imported"), sections, new_pages)
    new_pages.add(parent, page)


@dataclass
class _NewPages:
    """New pages, each written by one save, as Wagtail's ``add_child``,
    ``save_revision()`` and ``publish()`` would leave them after three.

    The page is added with its publishing state already set (live, first and last
    published, verified, since publishing verifies: ``knowledge.verification``), where
    treebeard's ``add_child`` would put it (``_place``); its first revision, and the
    history's "created" and "published" entries, are written for all pages at once by
    ``finish``, which then points each page at its revision and counts each parent's new
    children. A new page has no change waiting, workflow, alias or comment for a publish
    to settle, so what stays of the ``page_published`` receivers is search: the portal's
    index, deferred like the rest, and Elasticsearch's documents, queued once for all.
    """

    publish: bool
    deferred: DeferredIndexing
    now: datetime = field(default_factory=timezone.now)
    added: list[tuple[Page, dict, bool]] = field(default_factory=list)
    #: Per parent page id: its last child so far (None: it has none), and how many
    #: children this import gave it.
    last_child: dict[int, Page | None] = field(default_factory=dict)
    children_added: Counter = field(default_factory=Counter)
    #: Per parent page id: its children's slugs, read once an import.
    slugs: dict[int, set[str]] = field(default_factory=dict)

    def _place(self, parent: Page, page: Page) -> None:
        """``page``'s path as treebeard's ``add_child`` gives it, last under ``parent``,
        without its three statements a child: the parent is locked and its last child
        read once an import, and its count of children raised once, in ``finish``."""
        if parent.pk not in self.last_child:
            locked = Page.objects.select_for_update().get(pk=parent.pk)
            self.last_child[parent.pk] = locked.get_last_child()
            self.slugs[parent.pk] = set(locked.get_children().values_list("slug", flat=True))
        last = self.last_child[parent.pk]
        page.depth = parent.depth + 1
        page.path = last._inc_path() if last else Page._get_path(parent.path, page.depth, 1)
        page._cached_parent_obj = parent
        # What Wagtail's save would look up, a statement each: the slug it would make
        # free among the siblings, the parent's locale, and whether the page is a site's
        # root (a new page never is).
        if not page.slug:
            page.slug = self._free_slug(parent, page.title)
        page.locale_id = parent.locale_id
        page._is_site_root = False
        if page.slug:
            self.slugs[parent.pk].add(page.slug)
        self.last_child[parent.pk] = page
        self.children_added[parent.pk] += 1
        parent.numchild += 1

    def _free_slug(self, parent: Page, title: str) -> str:
        """Wagtail's slug for a new page: the title's, numbered from -2 if taken."""
        base = slugify(title, allow_unicode=getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True))
        if not base:
            return ""  # Wagtail's validation says what is missing
        taken = self.slugs[parent.pk]
        candidate, suffix = base, 1
        while candidate in taken:
            suffix += 1
            candidate = f"{base}-{suffix}"
        return candidate

    def add(self, parent: Page, page: Page, publish: bool | None = None) -> None:
        publish = self.publish if publish is None else publish
        page.live = publish
        page.has_unpublished_changes = not publish
        page.draft_title = page.title
        page.latest_revision_created_at = self.now
        if publish:
            page.first_published_at = page.last_published_at = self.now
            page.verified_at, page.verified_by_id = self.now, publisher_id(None)
        # The one save; a live page is validated by it, a draft only minimally. Its
        # "created" entry in the history is written by ``finish``, with the others.
        self._place(parent, page)
        page.save(log_action=None)
        if not publish:
            page.full_clean()
        self.added.append((page, page.serializable_data(), publish))
        if publish:
            self.deferred.published(page.pk)

    def finish(self) -> None:
        if not self.added:
            return
        revisions = Revision.objects.bulk_create(
            (
                Revision(
                    content_object=page,
                    base_content_type=page.get_base_content_type(),
                    content=content,
                    object_str=str(page),
                    created_at=self.now,
                )
                for page, content, _publish in self.added
            ),
            batch_size=BULK,
        )
        for (page, _content, publish), revision in zip(self.added, revisions, strict=True):
            page.latest_revision = revision
            page.live_revision = revision if publish else None
        Page.objects.bulk_update(
            [page for page, _content, _publish in self.added],
            ["latest_revision", "live_revision"],
            batch_size=BULK,
        )
        for parent_id, count in self.children_added.items():
            Page.objects.filter(pk=parent_id).update(numchild=F("numchild") + count)
        sync_after_commit(
            page.pk for page, _content, publish in self.added if publish and is_searched(page)
        )
        context = get_active_log_context()
        PageLogEntry.objects.bulk_create(
            (
                PageLogEntry(
                    page=page,
                    content_type=ContentType.objects.get_for_model(page, for_concrete_model=False),
                    label=page.get_admin_display_title(),
                    action=action,
                    timestamp=self.now,
                    user=context.user,
                    uuid=context.uuid,
                    revision=page.live_revision if action == "wagtail.publish" else None,
                    content_changed=True,
                )
                for action in ("wagtail.create", "wagtail.publish")
                for page, _content, publish in self.added
                if publish or action == "wagtail.create"
            ),
            batch_size=BULK,
        )


def _update(page, item, publish: bool, scheduled: bool = False) -> bool:
    """Save a new revision only if the line changes the page (or its published state).

    A page whose next revision is scheduled (an announced change) is settled when its
    live content is the line's: that revision is left to go live when it is due.
    """
    before = _fingerprint(page)
    _fill(page, item)
    if publish:
        settled = page.live and (scheduled or not page.has_unpublished_changes)
    else:
        settled = not page.live
    if settled and _fingerprint(page) == before:
        return False
    if not publish:
        page.save_revision()  # one save: the draft's state, not its content
        return True
    if page.go_live_at and page.go_live_at > timezone.now():
        # Wagtail schedules this publish rather than making it: its usual two steps.
        page.save_revision().publish()
        return True
    # Wagtail's publish, from a revision row written directly: ``save_revision`` would
    # save the page once more only to point it at the revision, which the publish's own
    # save does here (and validates the page, once).
    revision = Revision.objects.create(
        content_object=page,
        base_content_type=page.get_base_content_type(),
        content=page.serializable_data(),
        object_str=str(page),
    )
    action = PublishPageRevisionAction(revision)
    action.object.latest_revision = revision
    action.object.latest_revision_created_at = revision.created_at
    action.object.draft_title = action.object.title
    action.execute()
    return True


def _fingerprint(page) -> tuple:
    """What an import line sets on a page, comparable before and after filling it."""
    if isinstance(page, ArticlePage):
        text = [str(block.value.source) for block in page.body]
    elif isinstance(page, VisionPage):
        text = [page.vision]
    else:
        text = [
            page.situation,
            page.conditions,
            page.authority,
            page.limit_amount_krw,
            page.limit_times_per_customer,
            page.limit_window_days,
            page.effective_from,
            [(script.channel, script.text) for script in page.scripts.all()],
        ]
    tags = sorted(tag.name for tag in page.tags.all())
    return (page.title, page.summary, *map(str, text), tuple(tags))
