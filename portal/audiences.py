"""Who a notice or a course is for: one rule, in the database and in Python.

An audience is everyone, or the agents of any chosen vendor or team, narrowed by the
chosen channels (any of them) and roles (any of them). Channels alone make an audience
too; roles alone do not (a form asks for vendors, teams or channels). People who have
left are never in an audience.

Pages that have an audience take its fields from ``AudienceFields`` (many-to-many
fields ``audience_vendors``, ``audience_teams``, ``audience_channels`` beside a boolean
``audience_everyone``; notices add ``audience_roles``), their editor panel from
``audience_panel`` and their form's check from ``check_audience``; ``audiences_of``
reads many pages' audiences at once.
"""

from dataclasses import dataclass, field

from django import forms
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from portal.organisation.models import AgentProfile, Channel, Team, Vendor

#: The audience fields a page may have, and the column each one's link table holds.
AUDIENCE_FIELDS = {
    "audience_vendors": "vendor_id",
    "audience_teams": "team_id",
    "audience_channels": "channel_id",
    "audience_roles": "group_id",
}


class AudienceFields(models.Model):
    """Who a page is for, as its editor chooses it (the rule: ``Audience``)."""

    audience_everyone = models.BooleanField(_("everyone"), default=False)
    audience_vendors = ParentalManyToManyField(
        Vendor, blank=True, related_name="+", verbose_name=_("vendors")
    )
    audience_teams = ParentalManyToManyField(
        Team, blank=True, related_name="+", verbose_name=_("teams")
    )
    audience_channels = ParentalManyToManyField(
        Channel, blank=True, related_name="+", verbose_name=_("channels")
    )

    class Meta:
        abstract = True


def audience_panel(*, roles: bool = False) -> MultiFieldPanel:
    """The editor's "Audience" panel (``roles``: the page type has ``audience_roles``)."""
    panels = [
        FieldPanel("audience_everyone"),
        FieldPanel("audience_vendors", widget=forms.CheckboxSelectMultiple),
        FieldPanel("audience_teams"),
        FieldPanel("audience_channels", widget=forms.CheckboxSelectMultiple),
    ]
    if roles:
        panels.append(FieldPanel("audience_roles", widget=forms.CheckboxSelectMultiple))
        narrowed = _(
            "Agents in any chosen vendor or team, narrowed by the channels and roles chosen."
        )
    else:
        narrowed = _("Agents in any chosen vendor or team, narrowed by the channels chosen.")
    return MultiFieldPanel(panels, heading=_("Audience"), help_text=narrowed)


def check_audience(form, cleaned, message) -> None:
    """A page is for someone: everyone, or vendors, teams or channels (roles only
    narrow). ``message`` says so in the page type's words."""
    chosen = [cleaned.get(name) for name in ("audience_vendors", "audience_teams")]
    chosen.append(cleaned.get("audience_channels"))
    if not cleaned.get("audience_everyone") and not any(chosen):
        form.add_error("audience_everyone", message)


@dataclass(frozen=True)
class Audience:
    everyone: bool
    vendor_ids: frozenset = field(default_factory=frozenset)
    team_ids: frozenset = field(default_factory=frozenset)
    channel_ids: frozenset = field(default_factory=frozenset)
    role_ids: frozenset = field(default_factory=frozenset)

    def includes(self, vendor_id, team_id, channel_ids=(), role_ids=()) -> bool:
        """Is an agent of this vendor and team, with these channels and roles, in it?"""
        if self.everyone:
            return True
        if self.vendor_ids or self.team_ids:
            if vendor_id not in self.vendor_ids and team_id not in self.team_ids:
                return False
        elif not self.channel_ids:
            return False
        if self.channel_ids and not self.channel_ids & set(channel_ids):
            return False
        return not self.role_ids or bool(self.role_ids & set(role_ids))

    def agents(self):
        """The active agent profiles in it (a system query: no viewer scope)."""

        agents = AgentProfile.objects.unscoped().filter(status=AgentProfile.Status.ACTIVE)
        if self.everyone:
            return agents
        if self.vendor_ids or self.team_ids:
            agents = agents.filter(Q(vendor_id__in=self.vendor_ids) | Q(team_id__in=self.team_ids))
        elif not self.channel_ids:
            return agents.none()
        if self.channel_ids:
            links = AgentProfile.channels.through.objects.filter(channel_id__in=self.channel_ids)
            agents = agents.filter(pk__in=links.values("agentprofile_id"))
        if self.role_ids:
            groups = AgentProfile.user.field.related_model.groups.through.objects
            agents = agents.filter(
                user_id__in=groups.filter(group_id__in=self.role_ids).values("user_id")
            )
        return agents


def audiences_of(model, page_ids) -> dict[int, Audience]:
    """The audience of each page of ``model`` among ``page_ids``, in one query per
    audience field whatever their number. Read through the link tables: the audience
    is the page's own data, whoever looks at it (the vendor and team tables are scoped)."""
    page_ids = list(page_ids)
    names = [name for name in AUDIENCE_FIELDS if _has_field(model, name)]
    links: dict[tuple[int, str], set] = {}
    for name in names:
        through = model._meta.get_field(name).remote_field.through
        page_column = f"{model._meta.model_name}_id"
        rows = through.objects.filter(**{f"{page_column}__in": page_ids}).values_list(
            page_column, AUDIENCE_FIELDS[name]
        )
        for page_id, value in rows:
            links.setdefault((page_id, name), set()).add(value)
    everyone = dict(model.objects.filter(pk__in=page_ids).values_list("pk", "audience_everyone"))
    return {
        pk: Audience(
            everyone=everyone.get(pk, False),
            vendor_ids=frozenset(links.get((pk, "audience_vendors"), ())),
            team_ids=frozenset(links.get((pk, "audience_teams"), ())),
            channel_ids=frozenset(links.get((pk, "audience_channels"), ())),
            role_ids=frozenset(links.get((pk, "audience_roles"), ())),
        )
        for pk in page_ids
    }


def audience_of(page) -> Audience:
    return audiences_of(type(page), [page.pk])[page.pk]


def _has_field(model, name) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True
