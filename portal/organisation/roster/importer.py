"""Validate every row first, then write everything in one transaction, or nothing.

Writes are set-based (a handful of bulk statements whatever the file's size), and a
row that already matches the database is left alone, so re-importing a file changes
nothing.

A roster is about agents. Whoever imports it, it never changes the account of a team
lead, a manager or client staff, and never gives a person an email address that belongs
to another account: password reset sends its link to the address on the account, so
either would let the importer sign in as someone else.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from taggit.models import Tag

from portal.tabular.reading import UnreadableFile, read_table
from portal.text import control_characters_message, has_control_characters

from ..models import AgentProfile, AgentSkill, Channel, RosterImport, Team, Vendor
from ..roles import Role
from . import columns as col

#: Values per ``IN (...)`` lookup: SQLite's default limit is 32,766 parameters.
LOOKUP_CHUNK = 5_000


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it; 0 for the file as a whole
    message: str
    column: str = ""

    @property
    def column_label(self) -> str:
        return str(col.COLUMN_LABELS.get(self.column, self.column))

    def __str__(self):
        where = _("row %(row)d") % {"row": self.row} if self.row else _("file")
        return f"{where}: {self.message}"


@dataclass
class RosterReport:
    vendor_code: str
    filename: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "vendor": self.vendor_code,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deactivated": self.deactivated,
            "dry_run": self.dry_run,
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message} for e in self.errors
            ],
        }


@dataclass(frozen=True)
class RosterRow:
    row: int
    employee_number: str
    name: str
    email: str
    team_id: int
    channels: frozenset[str]
    skills: frozenset[str]
    go_live_date: date | None
    status: str


def import_roster(
    vendor: Vendor,
    data: bytes,
    filename: str = "",
    *,
    deactivate_missing: bool = False,
    dry_run: bool = False,
    imported_by=None,
) -> RosterReport:
    """Import ``vendor``'s roster from CSV/XLSX bytes. Any bad row: nothing is written."""
    report = RosterReport(vendor_code=vendor.code, filename=filename, dry_run=dry_run)
    if not Vendor.objects.unscoped().filter(pk=vendor.pk, is_active=True).exists():
        report.errors.append(RowError(0, inactive_vendor_message(vendor)))
        return report
    try:
        table = read_table(data, filename)
    except UnreadableFile as exc:
        report.errors.append(RowError(exc.row, str(exc)))
        return report
    positions, problems = col.match_columns(table.header)
    if problems:
        report.errors.extend(RowError(1, message) for message in problems)
        return report

    report.rows = len(table.rows)
    rows = _validate_rows(vendor, table.rows, positions, report.errors)
    existing = _existing_profiles(vendor)
    _check_people(rows, existing, report.errors)
    _check_account_names(vendor, rows, existing, report.errors)
    _check_emails(rows, existing, report.errors)
    if report.errors:
        report.errors.sort(key=lambda error: error.row)
        return report

    plan = _plan(vendor, rows, existing, deactivate_missing)
    report.created = len(plan.creates)
    report.updated = len(plan.updates)
    report.unchanged = len(rows) - report.created - report.updated
    report.deactivated = len(plan.deactivations)
    if dry_run:
        return report
    try:
        with transaction.atomic():
            locked = Vendor.objects.unscoped().select_for_update().filter(pk=vendor.pk).first()
            # Off-boarded while the file was read: its people stay signed out.
            if locked is None or not locked.is_active:
                raise VendorInactive
            _apply(vendor, plan)
            RosterImport.objects.create(
                vendor=vendor,
                imported_by=imported_by if getattr(imported_by, "pk", None) else None,
                filename=filename[:255],
                rows=report.rows,
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
                deactivated=report.deactivated,
            )
    except IntegrityError:
        report.errors.append(
            RowError(
                0,
                _(
                    "The roster changed while this file was being imported, so nothing was "
                    "imported. Import the file again."
                ),
            )
        )
        report.created = report.updated = report.unchanged = report.deactivated = 0
    except VendorInactive:
        report.errors.append(RowError(0, inactive_vendor_message(vendor)))
        report.created = report.updated = report.unchanged = report.deactivated = 0
    return report


class VendorInactive(Exception):
    pass


def inactive_vendor_message(vendor) -> str:
    return _(
        "%(vendor)s is no longer active (its contract has ended): its roster cannot be "
        "imported, so nobody's account comes back."
    ) % {"vendor": vendor.name}


def username_for(vendor: Vendor, employee_number: str) -> str:
    return f"{vendor.code}-{employee_number}".lower()


def _validate_rows(vendor, raw_rows, positions, errors) -> list[RosterRow]:
    teams = list(Team.objects.unscoped().filter(vendor=vendor).values_list("id", "code", "name"))
    team_by_word = {}
    for team_id, code, name in teams:
        team_by_word[code.lower()] = team_id
        team_by_word[name.strip().lower()] = team_id
    team_choices = ", ".join(sorted(code for _id, code, _name in teams)) or "—"

    def cell(values, column):
        index = positions.get(column)
        return values[index] if index is not None and index < len(values) else None

    first_seen: dict[str, int] = {}
    rows = []
    for number, values in raw_rows:
        row_errors = []

        def check(column, parse, value, _errors=row_errors, _number=number):
            try:
                return parse(value)
            except ValidationError as exc:
                _errors.append(RowError(_number, exc.messages[0], column))
                return None

        employee_number = col.text(cell(values, "employee_number"))
        if not employee_number:
            row_errors.append(
                RowError(number, _("the employee number is empty"), "employee_number")
            )
        elif has_control_characters(employee_number):
            row_errors.append(RowError(number, control_characters_message(), "employee_number"))
        elif len(employee_number) > 32:
            row_errors.append(
                RowError(
                    number, _("the employee number is longer than 32 characters"), "employee_number"
                )
            )
        elif employee_number in first_seen:
            row_errors.append(
                RowError(
                    number,
                    _("employee number %(number)s appears again (first on row %(first)d)")
                    % {"number": employee_number, "first": first_seen[employee_number]},
                    "employee_number",
                )
            )
        else:
            first_seen[employee_number] = number

        name = col.text(cell(values, "name"))
        if not name:
            row_errors.append(RowError(number, _("the name is empty"), "name"))
        elif len(name) > 150:
            row_errors.append(RowError(number, _("the name is longer than 150 characters"), "name"))
        elif has_control_characters(name):
            row_errors.append(RowError(number, control_characters_message(), "name"))

        email = check("email", col.parse_email, cell(values, "email"))

        team_word = col.text(cell(values, "team"))
        team_id = team_by_word.get(team_word.lower()) if team_word else None
        if not team_word:
            row_errors.append(RowError(number, _("the team is empty"), "team"))
        elif team_id is None:
            row_errors.append(
                RowError(
                    number,
                    _("unknown team “%(team)s” (this vendor's teams: %(teams)s)")
                    % {"team": team_word, "teams": team_choices},
                    "team",
                )
            )

        channels = check("channels", col.parse_channels, cell(values, "channels"))
        skills = check("skills", col.parse_skills, cell(values, "skills"))
        go_live_date = check("go_live_date", col.parse_date, cell(values, "go_live_date"))
        status = check("status", col.parse_status, cell(values, "status"))

        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(
            RosterRow(
                row=number,
                employee_number=employee_number,
                name=name,
                email=email,
                team_id=team_id,
                channels=channels,
                skills=skills,
                go_live_date=go_live_date,
                status=status,
            )
        )
    return rows


@dataclass
class Existing:
    profile: AgentProfile
    channels: set[str]
    skills: set[str]
    #: A team lead, a manager or client staff: no roster may change them.
    beyond_roster: bool = False


def _existing_profiles(vendor) -> dict[str, Existing]:
    profiles = AgentProfile.objects.unscoped().filter(vendor=vendor).select_related("user")
    beyond_roster = _people_beyond_a_roster(vendor)
    by_id = {p.pk: Existing(p, set(), set(), p.user_id in beyond_roster) for p in profiles}
    through = AgentProfile.channels.through
    for profile_id, code in through.objects.filter(agentprofile__vendor=vendor).values_list(
        "agentprofile_id", "channel__code"
    ):
        by_id[profile_id].channels.add(code)
    for profile_id, tag in AgentSkill.objects.filter(content_object__vendor=vendor).values_list(
        "content_object_id", "tag__name"
    ):
        by_id[profile_id].skills.add(tag)
    return {existing.profile.employee_number: existing for existing in by_id.values()}


def _people_beyond_a_roster(vendor) -> set[int]:
    """Accounts of ``vendor``'s people that hold more than the agent role."""
    User = get_user_model()
    other_roles = User.groups.through.objects.filter(user_id=OuterRef("pk")).exclude(
        group__name=Role.AGENT.value
    )
    own_permissions = User.user_permissions.through.objects.filter(user_id=OuterRef("pk"))
    return set(
        User.objects.filter(agent_profile__vendor=vendor)
        .filter(
            Q(is_staff=True) | Q(is_superuser=True) | Exists(other_roles) | Exists(own_permissions)
        )
        .values_list("pk", flat=True)
    )


def _check_people(rows, existing, errors) -> None:
    """A row naming a team lead, a manager or client staff is refused, even unchanged."""
    for row in rows:
        current = existing.get(row.employee_number)
        if current is not None and current.beyond_roster:
            errors.append(
                RowError(
                    row.row,
                    _(
                        "employee number %(number)s is a team lead's, manager's or client "
                        "staff account, which a roster cannot change; leave this row out"
                    )
                    % {"number": row.employee_number},
                    "employee_number",
                )
            )


def _check_account_names(vendor, rows, existing, errors) -> None:
    """A new agent's account name must not already belong to someone else."""
    new_rows = {
        username_for(vendor, r.employee_number): r
        for r in rows
        if r.employee_number not in existing
    }
    User = get_user_model()
    taken = [
        username
        for chunk in _chunks(sorted(new_rows))
        for username in User.objects.filter(username__in=chunk).values_list("username", flat=True)
    ]
    for username in taken:
        row = new_rows[username]
        errors.append(
            RowError(
                row.row,
                _("the account name %(username)s already belongs to another person")
                % {"username": username},
                "employee_number",
            )
        )


def _check_emails(rows, existing, errors) -> None:
    """Each address is one person's: never two rows', never another account's.

    Only addresses the file gives to someone who does not hold them yet are looked up,
    case-insensitively as password reset does; an agent whose address the file changes
    frees the old one for another row.
    """
    first_row: dict[str, RosterRow] = {}
    for row in rows:
        key = row.email.lower()
        if key in first_row:
            errors.append(
                RowError(
                    row.row,
                    _("the email %(email)s appears again (first on row %(first)d)")
                    % {"email": row.email, "first": first_row[key].row},
                    "email",
                )
            )
        else:
            first_row[key] = row

    given, freed = {}, set()
    for key, row in first_row.items():
        current = existing.get(row.employee_number)
        if current is None:
            given[key] = row
        elif current.profile.user.email.lower() != key:
            given[key] = row
            freed.add(current.profile.user_id)
    for user_id, key in _accounts_with_emails(given):
        if user_id not in freed:
            row = given[key]
            errors.append(
                RowError(
                    row.row,
                    _("the email %(email)s already belongs to another account")
                    % {"email": row.email},
                    "email",
                )
            )


def _accounts_with_emails(keys) -> Iterator[tuple[int, str]]:
    """(account id, lower-cased address) of every account holding one of ``keys``."""
    User = get_user_model()
    for chunk in _chunks(sorted(keys)):
        yield from (
            User.objects.annotate(email_key=Lower("email"))
            .filter(email_key__in=chunk)
            .values_list("pk", "email_key")
        )


def _chunks(values: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class Plan:
    creates: list[RosterRow] = field(default_factory=list)
    updates: list[tuple[Existing, RosterRow]] = field(default_factory=list)
    deactivations: list[Existing] = field(default_factory=list)


def _plan(vendor, rows, existing, deactivate_missing) -> Plan:
    plan = Plan()
    for row in rows:
        current = existing.get(row.employee_number)
        if current is None:
            plan.creates.append(row)
        elif _differs(current, row):
            plan.updates.append((current, row))
    if deactivate_missing:
        in_file = {row.employee_number for row in rows}
        plan.deactivations = [
            current
            for number, current in existing.items()
            if number not in in_file
            and current.profile.status == AgentProfile.Status.ACTIVE
            # Team leads and managers are not on an agent roster, so never missing from it.
            and not current.beyond_roster
            and current.profile.team_id is not None
        ]
    return plan


def _differs(current: Existing, row: RosterRow) -> bool:
    profile, user = current.profile, current.profile.user
    return (
        user.name != row.name
        or user.email != row.email
        or user.is_active != (row.status == AgentProfile.Status.ACTIVE)
        or profile.team_id != row.team_id
        or profile.go_live_date != row.go_live_date
        or profile.status != row.status
        or current.channels != set(row.channels)
        or current.skills != set(row.skills)
    )


def _apply(vendor, plan: Plan) -> None:
    User = get_user_model()
    today = timezone.localdate()
    channel_ids = dict(Channel.objects.values_list("code", "id"))
    tag_ids = _tag_ids(
        {skill for row in plan.creates for skill in row.skills}
        | {skill for _current, row in plan.updates for skill in row.skills}
    )

    # New people: accounts first (their ids are needed), then profiles, roles, channels, skills.
    new_users = User.objects.bulk_create(
        [
            User(
                username=username_for(vendor, row.employee_number),
                name=row.name,
                email=row.email,
                is_active=row.status == AgentProfile.Status.ACTIVE,
                # Agents choose their password through the emailed reset link.
                password=make_password(None),
            )
            for row in plan.creates
        ]
    )
    new_profiles = AgentProfile.objects.bulk_create(
        [
            AgentProfile(
                user=user,
                vendor=vendor,
                team_id=row.team_id,
                employee_number=row.employee_number,
                go_live_date=row.go_live_date,
                status=row.status,
                left_on=today if row.status == AgentProfile.Status.LEFT else None,
            )
            for user, row in zip(new_users, plan.creates, strict=True)
        ]
    )
    agents_group = Group.objects.get(name=Role.AGENT.value)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=agents_group.pk) for user in new_users]
    )

    channel_links, skill_links = [], []
    for profile, row in zip(new_profiles, plan.creates, strict=True):
        channel_links += [(profile.pk, channel_ids[code]) for code in row.channels]
        skill_links += [(profile.pk, tag_ids[skill]) for skill in row.skills]

    # Changed people: only the fields that differ are written; a changed set of channels
    # or skills is replaced whole.
    now = timezone.now()
    changed_users, changed_profiles = [], []
    relink_channels, relink_skills = [], []
    for current, row in plan.updates:
        profile, user = current.profile, current.profile.user
        user.name, user.email = row.name, row.email
        user.is_active = row.status == AgentProfile.Status.ACTIVE
        changed_users.append(user)
        if profile.status != row.status:
            profile.left_on = today if row.status == AgentProfile.Status.LEFT else None
        profile.team_id, profile.go_live_date = row.team_id, row.go_live_date
        profile.status, profile.updated_at = row.status, now
        changed_profiles.append(profile)
        if current.channels != row.channels:
            relink_channels.append(profile.pk)
            channel_links += [(profile.pk, channel_ids[code]) for code in row.channels]
        if current.skills != row.skills:
            relink_skills.append(profile.pk)
            skill_links += [(profile.pk, tag_ids[skill]) for skill in row.skills]

    for current in plan.deactivations:
        profile, user = current.profile, current.profile.user
        user.is_active = False
        changed_users.append(user)
        profile.status, profile.left_on, profile.updated_at = AgentProfile.Status.LEFT, today, now
        changed_profiles.append(profile)

    if changed_users:
        User.objects.bulk_update(changed_users, ["name", "email", "is_active"], batch_size=1000)
    if changed_profiles:
        # Access was checked by the caller, and every profile here is ``vendor``'s.
        AgentProfile.objects.unscoped().bulk_update(
            changed_profiles,
            ["team", "go_live_date", "status", "left_on", "updated_at"],
            batch_size=1000,
        )

    ChannelLink = AgentProfile.channels.through
    if relink_channels:
        ChannelLink.objects.filter(agentprofile_id__in=relink_channels).delete()
    if relink_skills:
        AgentSkill.objects.filter(content_object_id__in=relink_skills).delete()
    ChannelLink.objects.bulk_create(
        [ChannelLink(agentprofile_id=p, channel_id=c) for p, c in channel_links], batch_size=2000
    )
    AgentSkill.objects.bulk_create(
        [AgentSkill(content_object_id=p, tag_id=t) for p, t in skill_links], batch_size=2000
    )


def _tag_ids(names: set[str]) -> dict[str, int]:
    ids = dict(Tag.objects.filter(name__in=names).values_list("name", "id"))
    for name in sorted(names - ids.keys()):
        # Few distinct skills per file; Tag.save() makes a unique slug for each.
        tag = Tag(name=name)
        tag.save()
        ids[name] = tag.pk
    return ids
