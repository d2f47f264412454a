"""An agent's acknowledgement of a notice version: checked, recorded once, attested.

Every check is a read made before the one transaction that writes (``attest``: the
audit record, the acknowledgement, and the delivery marked read if it was not). A
repeat, like concurrent submissions by the same agent, which cannot see each other,
settles on the unique constraint of (agent, version): the first commits, the others
find its row.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit.chain import attest

from .audience import is_in_audience
from .models import Acknowledgement, Delivery
from .versions import current_versions

#: What the agent attests, recorded word for word with each acknowledgement.
STATEMENT = gettext_lazy("I have read and understood this notice and will apply it.")


class AcknowledgementRefused(Exception):
    """Shown to the agent as is; nothing was recorded."""


class NotAddressed(AcknowledgementRefused):
    """The notice concerns somebody else: a page answers as if it did not exist."""


@dataclass
class Outcome:
    acknowledgement: Acknowledgement
    created: bool


def deliveries_of(notice, agent) -> dict[int, datetime | None]:
    """The agent's deliveries of ``notice``: each material version's id → when they
    read it (None: not yet)."""
    return dict(
        Delivery.objects.unscoped()
        .filter(notice=notice, agent=agent)
        .values_list("version_id", "read_at")
    )


def concerns(notice, agent, delivered: dict | None = None) -> bool:
    """The notice was delivered to this agent, or they are in its audience now.

    ``delivered``: their deliveries (``deliveries_of``), when the caller has them."""
    if delivered is None:
        delivered = Delivery.objects.unscoped().filter(notice=notice, agent=agent).exists()
    return bool(delivered) or is_in_audience(notice, agent)


def closed_for_acknowledgement(notice, now=None) -> str:
    """Why ``notice`` cannot be acknowledged now (empty when it can).

    Only a live notice, not expired, still in effect and asking for it, takes an
    acknowledgement: a confirmation of something withdrawn or over proves nothing.
    """
    now = now or timezone.now()
    if not notice.live or notice.expired or (notice.expire_at and notice.expire_at <= now):
        return _("This notice has been withdrawn and can no longer be acknowledged.")
    if not notice.is_current(now):
        return _("This notice has ended and can no longer be acknowledged.")
    if not notice.acknowledgement_required:
        return _("This notice does not ask for an acknowledgement.")
    return ""


def check_answers(notice, answers: dict[str, list[str]]) -> list[int]:
    """Numbers (1-based) of the questions answered wrongly or not at all.

    ``answers`` maps a question's index to the indexes of the chosen answers, as the
    form posts them; anything else (unknown questions, out-of-range answers) is wrong.
    """
    wrong = []
    for number, question in enumerate(notice.questions):
        correct = {str(i) for i, choice in enumerate(question["options"]) if choice["correct"]}
        chosen = set(answers.get(str(number), []))
        if chosen != correct:
            wrong.append(number + 1)
    return wrong


def _refusal(notice, seen, revision_id: int, answers) -> str:
    """Why this form cannot be taken as posted (empty when it can)."""
    if seen is None or seen.revision_id != revision_id:
        return _(
            "This notice was updated while you were reading it. "
            "Please read the current version and confirm again."
        )
    wrong = check_answers(notice, answers)
    if wrong:
        numbers = ", ".join(str(n) for n in wrong)
        return _(
            "Some answers are not right yet (question %(numbers)s). "
            "Read the notice again and retry."
        ) % {"numbers": numbers}
    return ""


def acknowledge(
    notice,
    agent,
    *,
    revision_id: int,
    answers: dict[str, list[str]] | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    delivered: dict[int, datetime | None] | None = None,
    versions: list | None = None,
) -> Outcome:
    """Record that ``agent`` read and understood the notice's current material version,
    as shown at ``revision_id``; or say why not (``AcknowledgementRefused``).

    ``delivered``: the agent's deliveries of the notice (``deliveries_of``), and
    ``versions``: its versions (``published_notice``), when the caller has read them.
    """
    answers = answers or {}
    if delivered is None:
        delivered = deliveries_of(notice, agent)
    # Addressed first: to anyone else a notice, open or closed, is none of their business.
    if not concerns(notice, agent, delivered):
        raise NotAddressed(_("This notice is not addressed to you."))
    refusal = closed_for_acknowledgement(notice)
    if refusal:
        raise AcknowledgementRefused(refusal)
    material, seen = current_versions(notice, versions)
    refusal = _refusal(notice, seen, revision_id, answers)
    if refusal:
        # A repeat from an old tab is answered as one, not refused. Any other repeat (a
        # double click) is settled by the unique constraint in ``attest``.
        earlier = Acknowledgement.objects.unscoped().filter(agent=agent, version=material)
        if material is not None and (repeat := earlier.first()) is not None:
            return Outcome(repeat, created=False)
        raise AcknowledgementRefused(refusal)
    due = notice.acknowledge_by

    def on_time(now) -> bool:
        return due is None or now <= due

    # Opening the notice marked its delivery read, as a rule; a delivery made after the
    # agent opened it, or a form posted without opening it, is marked with the record.
    unread = material.pk in delivered and delivered[material.pk] is None

    def mark_read():
        Delivery.objects.unscoped().filter(
            version=material, agent=agent, read_at__isnull=True
        ).update(read_at=timezone.now())

    ack, created = attest(
        Acknowledgement,
        agent=agent,
        once={"version": material},
        statement=STATEMENT,
        facts=lambda now: {
            "notice_id": notice.pk,
            "version_id": material.pk,
            "seen_version_id": seen.pk,
            "version": material.number,
            "seen_version": seen.number,
            "revision_id": revision_id,
            "content_hash": seen.content_hash,
            "answers": answers,
            "on_time": on_time(now),
        },
        fields=lambda now: {
            "notice": notice,
            "version": material,
            "seen_version": seen,
            "revision_id": revision_id,
            "content_hash": seen.content_hash,
            "answers": answers,
            "on_time": on_time(now),
        },
        ip_address=ip_address,
        user_agent=user_agent,
        before=mark_read if unread else None,
    )
    return Outcome(ack, created=created)
