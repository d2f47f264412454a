"""Off-boarding a vendor: its people's accounts end on a chosen day, and their personal
data is erased once the records have been kept for the retention period.

A client manager decides it (``schedule``): the day the accounts end (today or later)
and the retention in days (``OFFBOARDING_RETENTION_DAYS`` unless changed for the
vendor). Beat carries it out (``handover.offboard_vendors``, hourly), in two steps, each
in one transaction that claims the vendor's off-boarding row (``SELECT … FOR UPDATE SKIP
LOCKED`` on PostgreSQL, re-checked once held), so two runs at once, or one run twice, do
each step once:

1. **Accounts end** (``end_accounts``), on ``accounts_end_on``: the vendor becomes
   inactive; each of its people still active leaves on that day and their account is
   deactivated (refused at sign-in, signed out everywhere); its notice webhook is
   switched off and its systems' tokens are revoked. Notices, reminders, nudges, KPI
   alerts and digests go to active people only, so nothing more reaches them.
2. **Personal data is erased** (``erase_personal_data``), ``retention_days`` after that
   day. What is erased: each person's account name, name and email address (the
   account becomes ``erased~<user id>``, a name neither a roster, which names accounts
   ``<vendor code>-<employee number>``, nor a sign-up can produce; no usable password),
   their Wagtail profile (and avatar), their employee number (``erased-<profile id>``)
   and skills, their failed sign-ins (and any whose account name starts with the
   vendor's roster prefix ``<code>-``), the email errors kept with the vendor's notice
   deliveries and delivery attempts (an SMTP refusal can quote the address), the labels
   and data of Wagtail's history entries about their profiles and accounts (which name
   them: each becomes ``erased-<object id>``), the vendor's roster imports, the files of
   its records hand-over archives (the rows stay, with their SHA-256, as proof of what
   was handed over), and the personal details kept beside each of their audit records
   (employee number, IP address, browser: ``portal.audit.chain.forget``, which appends
   a chained record of the erasure). What is kept, as the client's records, now
   pointing at pseudonymised people: acknowledgements, sign-offs, decisions, training
   results, feedback, KPI actuals and review notes, teams, and the ledger, which still
   verifies (its records hold keyed commitments to the personal details, not the details
   themselves).

Records exports and the erasure take one lock, the vendor's row (``lock_vendor``): an
export is created, starts and finishes holding it, the erasure checks for exports
holding it. A records export of the vendor under way holds the erasure back to the next
run (its archive, written from the data as it was, is erased with the rest); an export
of a vendor already erased is refused; one that finds at its end that the vendor was
erased meanwhile (it ran past the broker's redelivery window) deletes its archive and
fails. Deciding and cancelling take the same lock first, so two managers deciding the
first off-boarding of a vendor at once are served one after the other.

Once the accounts have ended their day no longer moves; once personal data is erased
nothing about the off-boarding changes.
"""

import logging
import shutil
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Cast, Concat, Lower
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from notices.models import Delivery, DeliveryAttempt, VendorWebhook
from portal import periods
from portal.accounts.sessions import sign_out_everywhere
from portal.audit import chain
from portal.integrations.tokens import revoke_vendor_tokens
from portal.organisation.models import AgentProfile, AgentSkill, RosterImport, Vendor

from .models import RecordsExport, VendorOffboarding

logger = logging.getLogger(__name__)

#: Ten years: longer than any retention a contract or the law asks of contact records,
#: and far from the last date a calendar can hold.
MAX_RETENTION_DAYS = 3653
#: What an erased employee number (and the label of a history entry about an erased
#: person) is called, before their row's id.
ERASED = "erased-"
#: What an erased account is called, before its id. A roster names accounts
#: ``<vendor code>-<employee number>`` (``username_for``), and a vendor code is letters,
#: digits, ``-`` and ``_`` only (``code_validator``): a name with ``~`` before its first
#: ``-`` (here: no ``-`` at all) is one no roster can produce, nor Django's username
#: validator accept, so it never collides with a real account's.
ERASED_ACCOUNT = "erased~"
#: Usernames per query when their failed sign-ins are deleted.
SLICE = 1000
#: Seconds after which a records export still under way is taken for abandoned, when the
#: broker names no redelivery window of its own.
ABANDONED = 6 * 60 * 60


def reactivation_refused(vendor) -> str:
    """Why ``vendor`` may not be made active again: its accounts ended when it was
    off-boarded (a roster import would otherwise bring them back); "" otherwise."""
    off = offboarding_of(vendor)
    if off is None or off.accounts_ended_at is None:
        return ""
    return _(
        "This vendor was off-boarded: its accounts ended on %(date)s and cannot come back."
    ) % {"date": formats.date_format(off.accounts_end_on)}


def offboarding_of(vendor) -> VendorOffboarding | None:
    return VendorOffboarding.objects.unscoped().filter(vendor=vendor).first()


def lock_vendor(vendor_id):
    """The vendor's row, locked for this transaction: the one lock that records exports,
    the erasure, deciding and cancelling an off-boarding all take first (never after the
    off-boarding row), so each sees what the other committed. ``FOR NO KEY UPDATE``
    where the database has it: rows that merely point at the vendor (a team, a roster
    import) are still inserted meanwhile."""
    return (
        Vendor.objects.unscoped()
        .select_for_update(no_key=connection.features.has_select_for_no_key_update)
        .get(pk=vendor_id)
    )


def personal_data_erased(vendor_id) -> bool:
    """The personal data of the vendor's people has been erased: nothing may be exported
    from it any more. Read under ``lock_vendor`` to be sure of it."""
    return (
        VendorOffboarding.objects.unscoped()
        .filter(vendor_id=vendor_id, personal_data_erased_at__isnull=False)
        .exists()
    )


def latest_end_on(today):
    """The last day accounts may be set to end: ten years from today."""
    return today + timedelta(days=MAX_RETENTION_DAYS)


def erase_on(accounts_end_on, retention_days):
    """The day personal data is erased, or None when it is beyond any calendar."""
    try:
        return accounts_end_on + timedelta(days=retention_days)
    except OverflowError:
        return None


def check(current, *, accounts_end_on, retention_days, today) -> dict[str, str]:
    """What is wrong with deciding this off-boarding (``current``: the one decided
    before, if any), by field; empty when nothing is."""
    day = formats.date_format
    if current is not None and current.erased:
        return {
            "__all__": _(
                "The personal data of this vendor's people was erased on %(date)s: its "
                "off-boarding can no longer change."
            )
            % {"date": day(timezone.localdate(current.personal_data_erased_at))}
        }
    problems = {}
    if current is not None and current.accounts_ended:
        if accounts_end_on != current.accounts_end_on:
            problems["accounts_end_on"] = _(
                "The accounts of this vendor's people ended on %(date)s: that day can no "
                "longer move."
            ) % {"date": day(current.accounts_end_on)}
    elif accounts_end_on < today:
        problems["accounts_end_on"] = _(
            "Accounts cannot end on a day that has passed: choose today (%(today)s) or later."
        ) % {"today": day(today)}
    elif accounts_end_on > latest_end_on(today):
        problems["accounts_end_on"] = _(
            "Accounts can end at most ten years from today: choose %(date)s or earlier."
        ) % {"date": day(latest_end_on(today))}
    if retention_days < 0:
        problems["retention_days"] = _("The retention is a number of days, 0 or more.")
    elif retention_days > MAX_RETENTION_DAYS:
        problems["retention_days"] = _(
            "The retention can be at most %(days)d days (ten years)."
        ) % {"days": MAX_RETENTION_DAYS}
    elif "accounts_end_on" not in problems:
        erase_day = erase_on(accounts_end_on, retention_days)
        if erase_day is None:
            # Only an end day decided before the ten-year limit could get here.
            problems["retention_days"] = _(
                "With this retention personal data would be erased after the last day a "
                "calendar holds: choose fewer days."
            )
        elif erase_day < today:
            problems["retention_days"] = _(
                "With this retention personal data would be erased on %(date)s, which has "
                "passed: choose at least %(days)d days."
            ) % {"date": day(erase_day), "days": (today - accounts_end_on).days}
    return problems


def schedule(vendor, *, accounts_end_on, retention_days, decided_by, today=None):
    """Decide (or change) when ``vendor``'s accounts end and how long its people's
    personal data is kept after that; raises ``ValidationError`` (by field) and changes
    nothing when that cannot be. The caller has checked that ``decided_by`` may."""
    today = today or periods.today()
    with transaction.atomic():
        # Two managers deciding its first off-boarding at once are served one after
        # the other, the second changing what the first decided.
        current = _locked_offboarding(vendor)
        problems = check(
            current, accounts_end_on=accounts_end_on, retention_days=retention_days, today=today
        )
        if problems:
            raise ValidationError(problems)
        offboarding = current or VendorOffboarding(vendor=vendor)
        offboarding.accounts_end_on = accounts_end_on
        offboarding.retention_days = retention_days
        offboarding.decided_by = decided_by
        offboarding.decided_at = timezone.now()
        try:
            with transaction.atomic():
                offboarding.save()
        except IntegrityError:
            # Only code that skipped the lock could get here.
            raise ValidationError(
                _(
                    "Someone else decided this vendor's off-boarding at the same time: "
                    "look at it again before changing it."
                )
            ) from None
    return offboarding


def _locked_offboarding(vendor) -> VendorOffboarding | None:
    """``vendor``'s off-boarding (or None), locked with the vendor (first, as everywhere)
    for this transaction: beat cannot end the accounts between a check and a change."""
    lock_vendor(vendor.pk)
    return VendorOffboarding.objects.unscoped().select_for_update().filter(vendor=vendor).first()


def cancel_refused(current) -> str | None:
    """Why ``current`` (a vendor's off-boarding, or None) cannot be cancelled; None when
    it can."""
    if current is None:
        return _("This vendor's off-boarding is not scheduled.")
    if current.accounts_ended:
        return _(
            "The accounts of this vendor's people ended on %(date)s: its off-boarding can "
            "no longer be cancelled."
        ) % {"date": formats.date_format(current.accounts_end_on)}
    return None


def cancel(vendor) -> None:
    """Cancel ``vendor``'s off-boarding before its accounts have ended: the row goes, and
    nothing of it happens. Raises ``ValidationError`` and changes nothing once they have
    ended, or when there is none. The caller has checked who may."""
    with transaction.atomic():
        current = _locked_offboarding(vendor)
        refused = cancel_refused(current)
        if refused:
            raise ValidationError(refused)
        current.delete()
    logger.info("off-boarding of vendor %s cancelled", vendor.pk)


def offboard_vendors(today=None) -> dict[str, int]:
    """Each step that is due, for every vendor: accounts whose day has come end, personal
    data whose retention has run out is erased. Returns how many vendors each step did.

    One vendor that fails is logged and left for the next run; the others go on."""
    today = today or periods.today()
    done = {"ended": 0, "erased": 0}
    rows = VendorOffboarding.objects.unscoped().filter(personal_data_erased_at__isnull=True)
    due_to_end = rows.filter(accounts_ended_at__isnull=True, accounts_end_on__lte=today)
    for pk in list(due_to_end.values_list("pk", flat=True)):
        done["ended"] += _step(end_accounts, pk, today)
    # A handful of rows, one per vendor ever off-boarded: the date sum is done here,
    # the same on every database.
    ended = rows.filter(accounts_ended_at__isnull=False)
    for pk, end_on, days in list(ended.values_list("pk", "accounts_end_on", "retention_days")):
        erase_day = erase_on(end_on, days)
        if erase_day is not None and erase_day <= today:
            done["erased"] += _step(erase_personal_data, pk, today)
    return done


def _step(step, offboarding_id, today) -> int:
    try:
        return int(step(offboarding_id, today))
    except Exception:
        logger.exception("off-boarding %s: %s failed", offboarding_id, step.__name__)
        return 0


def _claim(offboarding_id, **still):
    """The off-boarding row, locked for this transaction, if it is still in the state
    ``still`` describes; None when another run holds it or has done the step. The
    vendor's row is locked first (``lock_vendor``), as everywhere."""
    vendor_id = (
        VendorOffboarding.objects.unscoped()
        .filter(pk=offboarding_id)
        .values_list("vendor_id", flat=True)
        .first()
    )
    if vendor_id is None:
        return None
    lock_vendor(vendor_id)
    return (
        VendorOffboarding.objects.unscoped()
        .select_for_update(skip_locked=True)
        .filter(pk=offboarding_id, personal_data_erased_at__isnull=True, **still)
        .first()
    )


def end_accounts(offboarding_id: int, today=None) -> bool:
    """Step 1, on the day: the vendor's people can no longer sign in, and nothing more
    reaches them. Returns whether this run did it."""
    today = today or periods.today()
    with transaction.atomic():
        offboarding = _claim(
            offboarding_id, accounts_ended_at__isnull=True, accounts_end_on__lte=today
        )
        if offboarding is None:
            return False
        vendor_id, now = offboarding.vendor_id, timezone.now()
        Vendor.objects.unscoped().filter(pk=vendor_id).update(is_active=False)
        # Who left before keeps the day they left.
        AgentProfile.objects.unscoped().filter(
            vendor_id=vendor_id, status=AgentProfile.Status.ACTIVE
        ).update(
            status=AgentProfile.Status.LEFT, left_on=offboarding.accounts_end_on, updated_at=now
        )
        users = _people(vendor_id)
        users.update(is_active=False)
        VendorWebhook.objects.unscoped().filter(vendor_id=vendor_id).update(is_active=False)
        revoke_vendor_tokens(vendor_id)
        signed_out = sign_out_everywhere(users.values_list("pk", flat=True))
        offboarding.accounts_ended_at = now
        offboarding.save(update_fields=["accounts_ended_at"])
    logger.info("off-boarding %s: accounts ended, %s sessions ended", offboarding_id, signed_out)
    return True


def erase_personal_data(offboarding_id: int, today=None) -> bool:
    """Step 2, once the retention has run out: the personal data of the vendor's people
    is erased or pseudonymised, their records stay (the module's docstring says which).
    Returns whether this run did it."""
    today = today or periods.today()
    with transaction.atomic():
        offboarding = _claim(offboarding_id, accounts_ended_at__isnull=False)
        if offboarding is None or offboarding.erase_on > today:
            return False
        vendor_id, now = offboarding.vendor_id, timezone.now()
        if _export_under_way(vendor_id, now):
            # Its archive, written from the data as it was, would outlive the erasure:
            # the next run erases it with the rest.
            logger.info("off-boarding %s: waits for a records export", offboarding_id)
            return False
        vendor_code = Vendor.objects.unscoped().values_list("code", flat=True).get(pk=vendor_id)
        people = AgentProfile.objects.unscoped().filter(vendor_id=vendor_id)
        agent_ids = list(people.values_list("pk", flat=True))
        users = _people(vendor_id)
        user_ids = list(users.values_list("pk", flat=True))
        usernames = list(users.values_list("username", flat=True))
        _forget_failed_sign_ins(vendor_code, usernames)
        _forget_history(AgentProfile, agent_ids)
        _forget_history(get_user_model(), user_ids)
        avatars = _forget_user_profiles(user_ids)
        # An SMTP refusal may quote the address it refused.
        Delivery.objects.unscoped().filter(agent__vendor_id=vendor_id).exclude(
            email_error=""
        ).update(email_error="")
        DeliveryAttempt.objects.unscoped().filter(delivery__agent__vendor_id=vendor_id).exclude(
            detail=""
        ).update(detail="")
        users.update(
            username=_erased_name(ERASED_ACCOUNT),
            name="",
            first_name="",
            last_name="",
            email="",
            password=make_password(None),
            is_active=False,
        )
        people.update(employee_number=_erased_name(), updated_at=now)
        AgentSkill.objects.filter(content_object__vendor_id=vendor_id).delete()
        RosterImport.objects.unscoped().filter(vendor_id=vendor_id).delete()
        exports = RecordsExport.objects.unscoped().filter(vendor_id=vendor_id)
        folders = [export.folder for export in exports.only("pk")]
        exports.exclude(file_name="").update(file_name="")
        erased = chain.forget(
            agent_ids,
            reason=f"vendor {vendor_code} off-boarded: accounts ended on "
            f"{offboarding.accounts_end_on.isoformat()}, kept {offboarding.retention_days} days",
        )
        offboarding.personal_data_erased_at = now
        offboarding.save(update_fields=["personal_data_erased_at"])
        # Last, once nothing above can fail: a run rolled back before here keeps its files
        # for the next run to erase with the rest.
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        for storage, name in avatars:
            try:
                storage.delete(name)
            except OSError:
                logger.exception("off-boarding %s: an avatar was not deleted", offboarding_id)
    logger.info(
        "off-boarding %s: personal data of %s people erased (%s audit records' details)",
        offboarding_id,
        len(agent_ids),
        erased,
    )
    return True


def _export_under_way(vendor_id, now) -> bool:
    """A records export of the vendor is queued or running. One older than the broker's
    redelivery window belongs to a worker that died for good, and holds nothing up."""
    window = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", ABANDONED)
    since = now - timedelta(seconds=window)
    return (
        RecordsExport.objects.unscoped()
        .filter(vendor_id=vendor_id, created_at__gte=since)
        .filter(status__in=[RecordsExport.Status.QUEUED, RecordsExport.Status.RUNNING])
        .exists()
    )


def _people(vendor_id):
    """The accounts of the vendor's people: agents, team leads and vendor managers."""
    return get_user_model().objects.filter(agent_profile__vendor_id=vendor_id)


def _forget_failed_sign_ins(vendor_code, usernames):
    """Failed sign-ins (and axes' sign-in logs) to the people's accounts, whatever the
    case typed, and to any account name the vendor's roster would give
    (``<code>-…``), except those of another vendor whose code begins with ``<code>-``."""
    prefix = f"{vendor_code}-".lower()
    others = [
        f"{code}-".lower()
        for code in Vendor.objects.unscoped()
        .filter(code__istartswith=prefix)
        .values_list("code", flat=True)
    ]
    by_prefix = Q(username__istartswith=prefix)
    for other in others:
        by_prefix &= ~Q(username__istartswith=other)
    lowered = sorted({name.lower() for name in usernames})
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(by_prefix).delete()
        for start in range(0, len(lowered), SLICE):
            model.objects.annotate(lowered=Lower("username")).filter(
                lowered__in=lowered[start : start + SLICE]
            ).delete()


def _forget_history(model, ids):
    """Wagtail's history entries about these rows name them (``str()`` of the row, e.g.
    "name (employee number)") and may hold more in their data: pseudonymised, the
    entries themselves (who did what, when) kept."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    keys = [str(pk) for pk in ids]
    for start in range(0, len(keys), SLICE):
        ModelLogEntry.objects.filter(
            content_type=content_type, object_id__in=keys[start : start + SLICE]
        ).update(label=_erased_name(ERASED, "object_id"), data={})


def _forget_user_profiles(user_ids) -> list:
    """Deletes the people's Wagtail profiles; returns their avatars' (storage, name), for
    the caller to delete once nothing can roll back."""
    avatars = []
    storage = UserProfile._meta.get_field("avatar").storage
    for start in range(0, len(user_ids), SLICE):
        profiles = UserProfile.objects.filter(user_id__in=user_ids[start : start + SLICE])
        avatars += [
            (storage, name)
            for name in profiles.exclude(avatar="").values_list("avatar", flat=True)
            if name
        ]
        profiles.delete()
    return avatars


def _erased_name(prefix=ERASED, key="pk"):
    """``<prefix><the row's id>`` (or another field naming it): unique as the names it
    replaces were, and saying why."""
    return Concat(
        models.Value(prefix), Cast(key, models.CharField()), output_field=models.CharField()
    )
