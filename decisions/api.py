"""The JSON endpoint through which a vendor's CRM or ticketing system records decisions:
the same form and the same checks as the agent's page (``forms``, ``recording``).

``POST /decisions/api/decisions/`` with ``Authorization: Bearer <token>`` and a JSON
object naming the agent by employee number. A token belongs to one vendor and records
for that vendor's active agents only; each decision is checked as if that agent had
posted it (the policy must be open to them). Answers: 201 with the decision (recorded or
refused, with the escalation route), 400 with what to correct, 401 for a missing or
unknown token, 404 for a policy or agent the token cannot reach. Nothing is written
unless the answer is 201.
"""

import json

from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.http import client_ip
from portal.integrations.tokens import token_of
from portal.organisation.models import AgentProfile
from portal.organisation.scoping import acting_as
from portal.visibility import can_see_page

from .forms import DecisionForm
from .recording import DecisionRejected, PolicyNotFound, escalation, live_policy, record_decision

#: A decision is a few short fields: a larger body is not one.
MAX_BODY_BYTES = 16 * 1024
#: The use a token must be issued for (``manage.py decision_token`` / ``api_token``).
TOKEN_USE = "decisions"  # noqa: S105 - what the token may do, not a secret


def _error(status: int, message: str, errors=None) -> JsonResponse:
    body = {"error": message}
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status=status)


#: What a CRM posts besides the policy and the agent; ``amount`` may be a number.
_FIELDS = ("channel", "amount", "customer", "reference", "note")
_TEXT_FIELDS = ("channel", "customer", "reference", "note")
_EMPLOYEE_NUMBER_LENGTH = AgentProfile._meta.get_field("employee_number").max_length


@csrf_exempt  # no cookies: the bearer token is the credential
@require_POST
def record_api(request):
    crm = token_of(request, TOKEN_USE)
    if crm is None:
        response = _error(401, _("A valid token is required (Authorization: Bearer …)."))
        response["WWW-Authenticate"] = "Bearer"
        return response
    if len(request.body) > MAX_BODY_BYTES:
        return _error(400, _("The request is too large for one decision."))
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # deep nesting: RecursionError
        data = None
    if not isinstance(data, dict):
        return _error(400, _("Send one decision as a JSON object."))
    texts = {name: data.get(name) for name in (*_TEXT_FIELDS, "employee_number")}
    wrong = sorted(
        name
        for name, value in texts.items()
        if value is not None and (not isinstance(value, str) or "\x00" in value)
    )
    if wrong:
        # A number would lose a leading 0 (010… → 10…) and count as another customer.
        return _error(400, _("Send these as text: %(names)s.") % {"names": ", ".join(wrong)})
    employee_number = texts["employee_number"] or ""
    agent = (
        AgentProfile.objects.unscoped()
        .filter(
            vendor=crm.vendor, employee_number=employee_number, status=AgentProfile.Status.ACTIVE
        )
        .select_related("user")
        .first()
        if employee_number and len(employee_number) <= _EMPLOYEE_NUMBER_LENGTH
        else None
    )
    policy_id = data.get("policy")
    ok_id = isinstance(policy_id, int) and not isinstance(policy_id, bool)
    policy = live_policy(policy_id) if ok_id else None
    # A policy the agent may not open is answered as one that does not exist, before its
    # form could tell anything about it (e.g. that it has an amount limit).
    if agent is None or policy is None or not can_see_page(agent.user, policy):
        return _error(404, _("No such policy or agent for this token."))
    # Everything else is asked as that agent: their scope, the pages they may open.
    with acting_as(agent.user):
        fields = {name: "" if data.get(name) is None else str(data[name]) for name in _FIELDS}
        form = DecisionForm(fields, policy=policy)
        if not form.is_valid():
            return _error(400, _("Correct the decision and send it again."), form.errors)
        try:
            decision = record_decision(
                policy,
                agent,
                **form.cleaned_data,  # channel, amount (if asked), customer, reference, note
                ip_address=client_ip(request),
                user_agent=f"{crm.name} (CRM token {crm.pk})",
            )
        except PolicyNotFound:
            return _error(404, _("No such policy or agent for this token."))
        except DecisionRejected as rejection:
            return _error(400, str(rejection))
    refused = decision.outcome == decision.Outcome.REFUSED
    return JsonResponse(
        {
            "id": decision.pk,
            "outcome": decision.outcome,
            "refusal": decision.refusal,
            "message": decision.get_refusal_display() if refused else "",
            "escalation": escalation(policy) if refused else "",
            "policy": policy.pk,
            "policy_version": decision.policy_revision_id,
            "agent": agent.employee_number,
            "amount_krw": decision.amount_krw,
            "reference": decision.masked_reference,
            "decided_at": timezone.localtime(decision.decided_at).isoformat(),
        },
        status=201,
    )
