"""The roles of the product, as Django groups, and the permissions each one holds."""

from enum import StrEnum

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page


class Role(StrEnum):
    AGENT = "Agents"
    TEAM_LEAD = "Team leads"
    VENDOR_MANAGER = "Vendor managers"
    CLIENT_EDITOR = "Client editors"
    CLIENT_PUBLISHER = "Client publishers"
    CLIENT_MANAGER = "Client managers"


ROLE_LABELS = {
    Role.AGENT: _("Agent"),
    Role.TEAM_LEAD: _("Team lead"),
    Role.VENDOR_MANAGER: _("Vendor manager"),
    Role.CLIENT_EDITOR: _("Client editor"),
    Role.CLIENT_PUBLISHER: _("Client publisher"),
    Role.CLIENT_MANAGER: _("Client manager"),
}

#: Wagtail's own groups, made by its first migration, as people read them.
WAGTAIL_GROUP_LABELS = {"Editors": _("Editors"), "Moderators": _("Moderators")}


def group_label(group) -> str:
    """A group as the admin shows it: its role's name in the reader's language (the
    group's own name is the key the code matches, so it stays in English)."""
    label = ROLE_LABELS.get(group.name) or WAGTAIL_GROUP_LABELS.get(group.name)
    return str(label) if label else group.name


VENDOR_ROLES = (Role.AGENT, Role.TEAM_LEAD, Role.VENDOR_MANAGER)
CLIENT_ROLES = (Role.CLIENT_EDITOR, Role.CLIENT_PUBLISHER, Role.CLIENT_MANAGER)

# Permissions as "app_label.codename". Page permissions for editors and publishers come
# with the content (knowledge, notices, training) and are granted on the page tree there.
ROLE_PERMISSIONS = {
    Role.AGENT: [],
    # Vendor-side people never enter the Wagtail admin: it belongs to the client and shows
    # every vendor's pages, drafts and documents. They see their agents and import their
    # roster in the portal, scoped by ``viewer_scope``.
    Role.TEAM_LEAD: [],
    Role.VENDOR_MANAGER: ["organisation.import_roster"],
    Role.CLIENT_EDITOR: ["wagtailadmin.access_admin"],
    Role.CLIENT_PUBLISHER: ["wagtailadmin.access_admin"],
    Role.CLIENT_MANAGER: [
        "wagtailadmin.access_admin",
        "organisation.add_client",
        "organisation.change_client",
        "organisation.view_client",
        "organisation.add_vendor",
        "organisation.change_vendor",
        "organisation.view_vendor",
        "organisation.add_team",
        "organisation.change_team",
        "organisation.view_team",
        "organisation.add_agentprofile",
        "organisation.change_agentprofile",
        "organisation.view_agentprofile",
        "organisation.import_roster",
    ],
}


def grant(role: Role, *permissions: str) -> None:
    """Give ``role`` permissions of an upper app ("app_label.codename"), from that app's
    ``ready``: the foundation never names another app's permissions."""
    held = ROLE_PERMISSIONS[role]
    held.extend(p for p in permissions if p not in held)


def ensure_roles() -> None:
    """Create the role groups and give each exactly its permissions; safe to re-run."""

    # Permissions are normally created after every app has migrated; make sure they exist
    # whichever app's post_migrate runs this first.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = []
        for name in names:
            app_label, codename = name.split(".")
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


# Wagtail page permissions on the whole site tree, and media permissions on the root
# collection. Editors draft, publishers approve and publish (the workflow comes with the
# content); client managers can also lock and unlock.
PAGE_PERMISSIONS = {
    Role.CLIENT_EDITOR: ["add_page", "change_page"],
    Role.CLIENT_PUBLISHER: ["add_page", "change_page", "publish_page"],
    Role.CLIENT_MANAGER: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
MEDIA_PERMISSIONS = [
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
]


def ensure_content_permissions() -> None:
    """Give the client roles their page and media permissions; safe to re-run."""

    site_root = Page.objects.filter(depth=2).order_by("path").first()
    collection = Collection.get_first_root_node()
    if site_root is None or collection is None:
        return  # a flushed test database: nothing to grant on yet
    for role, codenames in PAGE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=site_root,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
        for name in MEDIA_PERMISSIONS:
            app_label, codename = name.split(".")
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=collection,
                permission=Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                ),
            )
