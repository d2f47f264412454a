"""A team lead's go-live sign-off for an agent: recorded once, like an acknowledgement,
with its own record in the audit chain, and never changed (a database trigger)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit.chain import attest

from .models import SignOff

STATEMENT = gettext_lazy(
    "I confirm that this agent has completed the required training and is ready to go live."
)


class SignOffRefused(Exception):
    """Shown to the manager as is; nothing was recorded."""


def sign_off(readiness, signed_by, *, ip_address=None, user_agent="") -> tuple[SignOff, bool]:
    """Record ``signed_by``'s sign-off of the agent whose ``readiness`` is given.

    The caller has checked that ``signed_by`` manages the agent.
    """
    agent = readiness.agent
    if not readiness.sign_off_required:
        raise SignOffRefused(
            _("%(vendor)s does not ask for a sign-off.") % {"vendor": agent.vendor}
        )
    if not (readiness.training_done and readiness.notices_done):
        raise SignOffRefused(
            _("%(name)s still has training or notices to finish: sign off once they are done.")
            % {"name": agent.user.get_full_name()}
        )
    existing = SignOff.objects.unscoped().filter(agent=agent).first()
    if existing is not None:
        return existing, False
    return attest(
        SignOff,
        agent=agent,
        statement=STATEMENT,
        facts=lambda now: {
            "signed_by": signed_by.pk,
            "courses": [
                {"course_id": s.course.course_id, "version": s.course.requirement}
                for s in readiness.courses
            ],
        },
        fields=lambda now: {"signed_by": signed_by},
        ip_address=ip_address,
        user_agent=user_agent,
    )
