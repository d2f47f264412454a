"""What versioned pages (change notices, courses) share when they are published.

Publishing such a page records a version (``VersionRecord``) in the ``page_published``
handler; the publisher says, for every new draft, whether the change is material.
``add_page``, ``publish`` and ``publish_again`` do in code what an editor does in the
admin: the demo loaders and the tests build their pages with them.
"""

import hashlib

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import Panel
from wagtail.models import Page
from wagtail.search import index

from portal.audit.chain import canonical
from searchindex.korean import analyse


class MaterialChangeForm(WagtailAdminPageForm):
    """Asks afresh, for every new draft after a publish, whether the change is material;
    the page type says what "material" means for its readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page = self.instance
        self.fields["material_change"].help_text = page.material_change_help
        if page.pk and page.live_revision_id and page.latest_revision_id == page.live_revision_id:
            self.initial["material_change"] = False


class VersionedPage(models.Model):
    """A page whose every publish is a version readers answer to (a change notice, a
    course): a leaf of its section, found by search through its analysed (Korean) text.

    The publish and what the ``page_published`` handler records with it (a version, an
    outbox row) are one transaction, so they succeed or fail together. Subclasses give
    ``search_text()`` (text by field) and ``material_change_help``.
    """

    material_change = models.BooleanField(_("material change"), default=True)

    material_change_help = ""
    search_fields = [*Page.search_fields, index.SearchField("search_terms")]
    subpage_types = []

    class Meta:
        abstract = True

    def publish(self, revision, *args, **kwargs):
        with transaction.atomic():
            return super().publish(revision, *args, **kwargs)

    def search_text(self) -> dict[str, str]:
        raise NotImplementedError

    def search_terms(self) -> str:
        return analyse("\n".join(self.search_text().values()))


class VersionRecord(models.Model):
    """One published version of a page: its number, whether it was material, and who
    published which revision when. Subclasses link the page (named by ``page_field``)
    and keep what was shown."""

    page_field = ""

    number = models.PositiveIntegerField(_("version"))
    material = models.BooleanField(_("material"))
    revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        abstract = True

    def __str__(self):
        return f"{getattr(self, f'{self.page_field}_id')} v{self.number}"


def content_hash(value) -> str:
    """SHA-256 of ``value`` (plain data) in the audit trail's canonical JSON form, so the
    same content always gives the same hash: what a version's record and an attestation
    name."""
    return hashlib.sha256(canonical(value).encode()).hexdigest()


def add_page(parent, page, **audience):
    """``page`` added under ``parent``, not yet published, with its audience: each
    many-to-many audience field named with the objects chosen (``audience_teams=[...]``)."""
    parent.add_child(instance=page)
    if audience:
        for name, chosen in audience.items():
            getattr(page, name).set(chosen)
        page.save()
    return page


def publish(page, *, user=None):
    """A revision of ``page`` as it is now, saved by ``user`` and published, with what the
    ``page_published`` handlers record (its version) in the same transaction."""
    with transaction.atomic():
        page.save_revision(user=user).publish()
    page.refresh_from_db()
    return page


def publish_new(parent, page, *, user=None, **audience):
    """``page`` added under ``parent`` with its audience (see ``add_page``) and published."""
    return publish(add_page(parent, page, **audience), user=user)


def publish_again(page, *, material, user=None, **changes):
    """``page`` with ``changes`` published as its next version, ``material`` or a
    correction, as the publisher answers the editor's question."""
    for name, value in changes.items():
        setattr(page, name, value)
    page.material_change = material
    return publish(page, user=user)


class ScheduleCuePanel(Panel):
    """Above a page's form: when publishing takes effect, in words, with a button to
    Wagtail's scheduling dialog. Scheduling otherwise lives in the status side panel,
    where publishers miss it, and a notice published "now" by mistake has been sent."""

    def __init__(self, *args, on_publish=None, **kwargs):
        kwargs.setdefault("heading", _("When it is published"))
        super().__init__(*args, **kwargs)
        self.on_publish = on_publish or _("From then on the agents who may read it see it.")

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "on_publish": self.on_publish}

    class BoundPanel(Panel.BoundPanel):
        template_name = "portal/admin/schedule_cue_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            # The form holds the latest revision: what publishing would publish. When a
            # draft came after a scheduled revision, the draft is what the cue describes,
            # and publishing it replaces that schedule (Wagtail keeps one per page).
            page = self.instance
            now = timezone.now()
            scheduled = page.scheduled_revision if page.pk else None
            if scheduled and scheduled.approved_go_live_at <= now:
                scheduled = None  # beat publishes it any moment now
            editing_scheduled = scheduled and scheduled.pk == page.latest_revision_id
            go_live_at = scheduled.approved_go_live_at if editing_scheduled else page.go_live_at
            context.update(
                on_publish=self.panel.on_publish,
                scheduled=bool(editing_scheduled),
                replaced_schedule=(
                    scheduled.approved_go_live_at if scheduled and not editing_scheduled else None
                ),
                live=bool(page.pk and page.live),
                go_live_at=go_live_at if go_live_at and go_live_at > now else None,
                expire_at=page.expire_at if page.expire_at and page.expire_at > now else None,
            )
            return context
