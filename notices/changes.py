"""Changes: a page's scheduled revision and the notice that announces it, as one record.

A publisher changing a policy, article or course announces the change here: in one
transaction the new revision is scheduled to go live at the effective time (Wagtail's
own scheduled publishing), the notice is created (or a draft notice chosen) with the
page linked, and the ``Change`` row ties them. The notice then shows the difference from
the revision live at that moment to the scheduled one, so what it says changes is what
will change. Pages show their pending and recent changes from the same rows.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from wagtail.models import Page

from knowledge.models import KnowledgeAudience
from portal.audiences import Audience, audience_of
from portal.banners import register_banner_source
from portal.diffs import VersionDiff, compare, version_number
from portal.organisation.models import Team
from portal.organisation.scoping import SystemViewer, system_scope
from portal.visibility import visible_page_ids

from .access import own_profile
from .acknowledging import closed_for_acknowledgement, concerns
from .audience import audience_agents, who_cannot_see
from .models import (
    Acknowledgement,
    AffectedPage,
    Change,
    ChangeNoticePage,
    NoticeIndexPage,
    NoticeKind,
)
from .versions import current_material_version


class ChangeRefused(Exception):
    """Shown to the publisher as is; nothing was scheduled, created or linked."""


@dataclass
class NewNotice:
    """What the publisher says about the notice a change creates."""

    title: str
    summary: str
    kind: str = NoticeKind.POLICY_CHANGE
    acknowledgement_required: bool = True
    acknowledge_by: object = None
    counts_for_readiness: bool = False
    publish_now: bool = True


def reader_fields(page) -> list[str]:
    return list(getattr(type(page), "reader_fields", ["title"]))


def pending_revision(page):
    """The newest draft of ``page`` (what a change would schedule), or None."""
    if page.latest_revision_id in (None, page.live_revision_id):
        return None
    return page.latest_revision


def change_diff(change, viewer, page=None) -> VersionDiff:
    """What ``change`` changes: its base revision against its own, as ``viewer`` reads it."""
    page = page or change.page.specific
    return _diff(page, change.base_revision, change.revision, viewer)


def _diff(page, base_revision, revision, viewer) -> VersionDiff:
    with system_scope("rebuilds a revision whatever its audience"):
        new = revision.as_object()
        old = base_revision.as_object() if base_revision else None
    fields = compare(old, new, reader_fields(page), viewer) if old is not None else []
    return VersionDiff(
        before_number=version_number(page, base_revision.pk) if base_revision else None,
        after_number=(version_number(page, base_revision.pk) or 0) + 1 if base_revision else 1,
        published_by=revision.user.get_full_name() if revision.user_id else "",
        published_at=revision.created_at,
        fields=fields,
    )


def preview(page, viewer) -> VersionDiff | None:
    """What announcing the page's newest draft would change, for the publisher's form."""
    revision = pending_revision(page)
    if revision is None:
        return None
    return _diff(page, page.live_revision, revision, viewer)


def draft_notices():
    """Notices a change may be added to: drafts never published."""
    return ChangeNoticePage.objects.filter(live=False, first_published_at__isnull=True).order_by(
        "-latest_revision_created_at"
    )


def announce(page, *, effective_at, user, notice=None, new_notice: NewNotice | None = None):
    """Schedule ``page``'s newest draft for ``effective_at`` and announce it.

    With ``notice`` (a draft), the change is added to it and it stays a draft for the
    publisher to finish; with ``new_notice``, a notice is created for the page's audience
    and, if asked, published at once. Returns the ``Change``. Raises ``ChangeRefused``,
    having changed nothing, when the change cannot be announced as asked.
    """
    page = page.specific
    revision = pending_revision(page)
    _check(page, revision, effective_at, notice, user)
    with transaction.atomic():
        # Two submissions at once: the second waits here, then finds the first's change.
        Page.objects.select_for_update().filter(pk=page.pk).first()
        if pending_changes(page).exists():
            raise ChangeRefused(
                _("This page already has a change waiting to take effect; cancel it first.")
            )
        if notice is None:
            notice = _create_notice(page, effective_at, new_notice, user)
            unseen = who_cannot_see(audience_agents(notice), page)
            if unseen:
                raise ChangeRefused(
                    _("Part of the notice's audience cannot see this page: %(names)s.")
                    % {"names": unseen}
                )
        else:
            notice = _attach_to_draft(notice, page, effective_at)
        _schedule(page, revision, effective_at, user)
        change = record_change(notice, page, revision, effective_at=effective_at, user=user)
        if new_notice is not None and new_notice.publish_now:
            notice.save_revision(user=user).publish(user=user)
    change.notice = ChangeNoticePage.objects.get(pk=notice.pk)
    return change


def record_change(notice, page, revision, *, effective_at, user) -> Change:
    """The record of ``page``'s ``revision``, shown against the revision live now, taking
    effect at ``effective_at`` and announced by ``notice``."""
    return Change.objects.create(
        page=page,
        revision=revision,
        base_revision=page.live_revision,
        effective_at=effective_at,
        notice=notice,
        created_by=user,
    )


def _check(page, revision, effective_at, notice, user) -> None:
    if revision is None:
        raise ChangeRefused(
            _("There is no draft to announce: edit the page and save a draft first.")
        )
    if not page.live:
        raise ChangeRefused(_("Only a published page can have a scheduled change."))
    if effective_at <= timezone.now():
        raise ChangeRefused(_("The change must take effect in the future."))
    if pending_changes(page).exists():
        raise ChangeRefused(
            _("This page already has a change waiting to take effect; cancel it first.")
        )
    if not _diff(page, page.live_revision, revision, SystemViewer()).fields:
        raise ChangeRefused(
            _("The draft reads the same as the live page: there is nothing to announce.")
        )
    if notice is not None:
        if notice.live or notice.first_published_at:
            raise ChangeRefused(_("Only a draft notice can take a change."))
        if notice.effective_until and notice.effective_until <= effective_at:
            raise ChangeRefused(
                _("The notice ends before the change takes effect: choose another date.")
            )
        unseen = who_cannot_see(audience_agents(notice), page)
        if unseen:
            raise ChangeRefused(
                _("Part of the notice's audience cannot see this page: %(names)s.")
                % {"names": unseen}
            )


def _schedule(page, revision, effective_at, user) -> None:
    """Wagtail's scheduled publishing: the revision goes live at ``effective_at``.

    An announced change is material by definition: a course's learners review it. A
    workflow still running on the page is ended, or its approval would publish the
    revision before the time the notice gives.
    """
    revision.content["go_live_at"] = effective_at.isoformat()
    if "material_change" in revision.content:
        revision.content["material_change"] = True
    revision.save(update_fields=["content"])
    workflow = getattr(page, "current_workflow_state", None)
    if workflow is not None:
        workflow.cancel(user=user)
    revision.publish(user=user, changed=True, log_action=True)


def _create_notice(page, effective_at, new_notice: NewNotice, user) -> ChangeNoticePage:
    index = NoticeIndexPage.objects.first()
    if index is None:
        raise ChangeRefused(_("There is no notices section to publish the notice in."))
    audience = page_audience(page)
    if not (audience.everyone or audience.vendor_ids or audience.team_ids or audience.channel_ids):
        raise ChangeRefused(_("Nobody may open this page: there is no one to tell."))
    notice = ChangeNoticePage(
        title=Truncator(new_notice.title).chars(255),
        kind=new_notice.kind,
        summary=new_notice.summary,
        changes="",
        effective_from=effective_at,
        audience_everyone=audience.everyone,
        acknowledgement_required=new_notice.acknowledgement_required,
        acknowledge_by=new_notice.acknowledge_by,
        counts_for_readiness=new_notice.counts_for_readiness,
        material_change=True,
        live=False,
    )
    index.add_child(instance=notice)
    notice.audience_vendors.set(audience.vendor_ids)
    notice.audience_teams.set(audience.team_ids)
    notice.audience_channels.set(audience.channel_ids)
    notice.affected_pages.add(AffectedPage(page=page))
    notice.save()
    notice.save_revision(user=user)
    return notice


def _attach_to_draft(notice, page, effective_at) -> ChangeNoticePage:
    notice = notice.specific
    if not notice.affected_pages.filter(page=page).exists():
        notice.affected_pages.add(AffectedPage(page=page))
    earlier = notice_starts(notice)
    notice.effective_from = min(earlier, effective_at) if earlier else effective_at
    notice.save()
    notice.save_revision()
    return notice


def notice_starts(notice):
    """When a notice takes effect, if it announces changes: when its first one does."""
    return (
        Change.objects.filter(notice=notice, withdrawn_at__isnull=True)
        .order_by("effective_at")
        .values_list("effective_at", flat=True)
        .first()
    )


def page_audience(page) -> Audience:
    """Everyone who may open ``page``, as a notice's audience: a course's own audience;
    for a knowledge page, the vendors and teams every limit above it admits (a page is
    seen only by those all its limits let in); everyone when nothing limits it."""

    specific = page.specific
    if hasattr(specific, "audience_everyone"):
        return audience_of(specific)
    ancestors = Page.objects.ancestor_of(page, inclusive=True).values("pk")
    limits: dict[int, list] = {}
    for row in KnowledgeAudience.objects.filter(page__in=ancestors):
        limits.setdefault(row.page_id, []).append((row.vendor_id, row.team_id))
    if not limits:
        return Audience(everyone=True)
    vendor_ids, team_ids = set(), set()
    for team_id, vendor_id in Team.objects.unscoped().values_list("pk", "vendor_id"):
        whole_vendor = all((vendor_id, None) in rows for rows in limits.values())
        if whole_vendor:
            vendor_ids.add(vendor_id)
        elif all((vendor_id, None) in rows or (None, team_id) in rows for rows in limits.values()):
            team_ids.add(team_id)
    return Audience(everyone=False, vendor_ids=frozenset(vendor_ids), team_ids=frozenset(team_ids))


def cancel(change, user) -> None:
    """Withdraw a pending change: its revision is no longer scheduled. The notice keeps
    the change, marked withdrawn, so what agents were told stays on record."""
    if not change.is_pending:
        raise ChangeRefused(_("This change has already taken effect or been withdrawn."))
    with transaction.atomic():
        change.revision.approved_go_live_at = None
        change.revision.save(update_fields=["approved_go_live_at"])
        change.withdrawn_at = timezone.now()
        change.save(update_fields=["withdrawn_at"])


def record_publish(page, revision) -> None:
    """A page went live: the change scheduling this revision took effect; any other
    pending change of the page was overtaken by it."""
    now = timezone.now()
    # Wagtail has cleared the schedule by now: what is open is what had not yet ended.
    open_changes = Change.objects.filter(
        page=page, took_effect_at__isnull=True, withdrawn_at__isnull=True
    )
    open_changes.filter(revision=revision).update(took_effect_at=now)
    open_changes.exclude(revision=revision).update(withdrawn_at=now)


@dataclass
class AnnouncedChange:
    change: Change
    #: The changed page, when the reader may open it (else only its difference is shown).
    page: Page | None
    diff: VersionDiff

    @property
    def status(self) -> str:
        if self.change.took_effect_at:
            return "effective"
        return "pending" if self.change.is_pending else "withdrawn"


def announced_changes(notice, user) -> list[AnnouncedChange]:
    """The page changes ``notice`` announces, each with its difference, for its reader."""
    rows = list(notice.page_changes.select_related("revision", "base_revision").order_by("pk"))
    if not rows:
        return []
    allowed = visible_page_ids(user, [row.page_id for row in rows])
    pages = Page.objects.filter(pk__in=[row.page_id for row in rows]).specific().in_bulk()
    # What changes on a page is shown only to those who may open it.
    return [
        AnnouncedChange(
            change=row,
            page=pages[row.page_id],
            diff=change_diff(row, user, pages[row.page_id]),
        )
        for row in rows
        if row.page_id in pages and row.page_id in allowed
    ]


def pending_changes(page):
    """The page's changes waiting to take effect (one at most): still scheduled. Wagtail
    locks a page while a revision is scheduled; cancelling that schedule in Wagtail
    withdraws the change as surely as withdrawing it here."""
    return Change.objects.filter(page=page).filter(pending())


def pending() -> Q:
    return Q(
        took_effect_at__isnull=True,
        withdrawn_at__isnull=True,
        revision__approved_go_live_at__isnull=False,
    )


@dataclass
class PageChangeBanner:
    """What a page says about a change: pending or recent, when, what, and its notice."""

    change: Change
    pending: bool
    summary: str
    notice: ChangeNoticePage | None
    #: The reader was asked to confirm the notice and has not yet.
    unconfirmed: bool = False


@register_banner_source("notices/_change_banner.html")
def banners(page, user) -> list[PageChangeBanner]:
    """The page's pending change and its changes of the last ``CHANGE_RECENT_DAYS``."""
    since = timezone.now() - timedelta(days=settings.CHANGE_RECENT_DAYS)
    changes = list(
        Change.objects.filter(page=page)
        .filter(pending() | Q(withdrawn_at__isnull=True, took_effect_at__gte=since))
        .select_related("revision", "base_revision")
        .order_by("-effective_at")
    )
    if not changes:
        return []
    notices = {
        notice.pk: notice
        for notice in ChangeNoticePage.objects.filter(
            pk__in=visible_page_ids(user, [c.notice_id for c in changes])
        )
    }
    unconfirmed = _unconfirmed(user, notices.values())
    shown = []
    for change in changes:
        notice = notices.get(change.notice_id)
        shown.append(
            PageChangeBanner(
                change=change,
                pending=change.took_effect_at is None,
                summary=change_diff(change, user, page).summary,
                notice=notice,
                unconfirmed=bool(notice and notice.pk in unconfirmed),
            )
        )
    return shown


def _unconfirmed(user, notices) -> set[int]:
    """Of ``notices``, those asking ``user`` (an agent) for a confirmation not yet given."""

    profile = own_profile(user)
    if profile is None:
        return set()
    waiting = set()
    for notice in notices:
        if closed_for_acknowledgement(notice) or not concerns(notice, profile):
            continue
        version = current_material_version(notice)
        confirmed = Acknowledgement.objects.unscoped().filter(agent=profile, version=version)
        if version is not None and not confirmed.exists():
            waiting.add(notice.pk)
    return waiting
