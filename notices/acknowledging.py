"""An agent's acknowledgement of a notice version: checked, recorded once, chained.

``acknowledge`` holds the audit chain's lock for its transaction, so concurrent and
repeated submissions by the same agent settle into exactly one acknowledgement (the
unique constraint is the last line of defence), and every acknowledgement has its own
audit record whose hash covers what was attested.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit.chain import attest

from .audience import is_in_audience
from .models import Acknowledgement, Delivery
from .versions import current_material_version, latest_version

#: What the agent attests, recorded word for word with each acknowledgement.
STATEMENT = gettext_lazy("I have read and understood this notice and will apply it.")


class AcknowledgementRefused(Exception):
    """Shown to the agent as is; nothing was recorded."""


@dataclass
class Outcome:
    acknowledgement: Acknowledgement
    created: bool


def concerns(notice, agent) -> bool:
    """The notice was delivered to this agent, or they are in its audience now."""
    delivered = Delivery.objects.unscoped().filter(notice=notice, agent=agent).exists()
    return delivered or is_in_audience(notice, agent)


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


def acknowledge(
    notice,
    agent,
    *,
    revision_id: int,
    answers: dict[str, list[str]] | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
) -> Outcome:
    answers = answers or {}
    refusal = closed_for_acknowledgement(notice)
    if refusal:
        raise AcknowledgementRefused(refusal)
    if not concerns(notice, agent):
        raise AcknowledgementRefused(_("This notice is not addressed to you."))
    material = current_material_version(notice)
    existing = Acknowledgement.objects.unscoped().filter(agent=agent, version=material).first()
    if existing is not None:
        return Outcome(existing, created=False)
    seen = latest_version(notice)
    if seen is None or seen.revision_id != revision_id:
        raise AcknowledgementRefused(
            _(
                "This notice was updated while you were reading it. "
                "Please read the current version and confirm again."
            )
        )
    wrong = check_answers(notice, answers)
    if wrong:
        numbers = ", ".join(str(n) for n in wrong)
        raise AcknowledgementRefused(
            _(
                "Some answers are not right yet (question %(numbers)s). "
                "Read the notice again and retry."
            )
            % {"numbers": numbers}
        )
    due = notice.acknowledge_by

    def on_time(now) -> bool:
        return due is None or now <= due

    ack, created = attest(
        Acknowledgement,
        agent=agent,
        once={"version": material},
        statement=STATEMENT,
        facts=lambda now: {
            "notice_id": notice.pk,
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
        before=lambda: (
            Delivery.objects.unscoped()
            .filter(version=material, agent=agent, read_at__isnull=True)
            .update(read_at=timezone.now())
        ),
    )
    return Outcome(ack, created=created)
