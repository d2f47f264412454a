"""The JSON endpoint through which a vendor's call-centre system pushes its KPI actuals.

``POST /contracts/api/actuals/`` with ``Authorization: Bearer <token>`` (a token issued
for ``kpi_actuals``, ``manage.py api_token``) and
``{"actuals": [{"kpi": "response-rate", "period": "2026-11", "value": 92.5}, …]}``.
A token belongs to one vendor and records that vendor's KPIs only; the items are checked
as an imported file's rows are (``recording``), all or nothing. Answers: 201 (something
new) or 200 (only updates or nothing changed) with the counts; 400 with each bad item's
position and reason; 401 without a valid token; 413 for a body over ``MAX_BODY_BYTES``.
"""

import json

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.integrations.tokens import token_of

from .models import Source
from .recording import Line, LineError, record_actuals

TOKEN_USE = "kpi_actuals"  # noqa: S105 - what the token may do, not a secret
#: A year of weekly figures for five KPIs is about 260 items; room for more.
MAX_ITEMS = 2_000
MAX_BODY_BYTES = 256 * 1024
_FIELDS = ("kpi", "period", "value", "note")


def _error(status: int, message: str, errors=None) -> JsonResponse:
    body = {"error": message}
    if errors:
        body["errors"] = [{"item": error.row, "message": error.message} for error in errors]
    return JsonResponse(body, status=status)


@csrf_exempt  # no cookies: the bearer token is the credential
@require_POST
def actuals_api(request):
    system = token_of(request, TOKEN_USE)
    if system is None:
        response = _error(401, _("A valid token is required (Authorization: Bearer …)."))
        response["WWW-Authenticate"] = "Bearer"
        return response
    # Read no more than the limit, whatever the request says its length is.
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _error(
            413,
            _("The request is too large; send at most %(n)d actuals at a time.") % {"n": MAX_ITEMS},
        )
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # deep nesting: RecursionError
        data = None
    items = data.get("actuals") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        return _error(400, _('Send {"actuals": [{"kpi": …, "period": …, "value": …}, …]}.'))
    if len(items) > MAX_ITEMS:
        return _error(400, _("Send at most %(n)d actuals at a time.") % {"n": MAX_ITEMS})
    lines, errors = [], []
    for position, item in enumerate(items, start=1):
        problem = _shape_problem(item)
        if problem:
            errors.append(LineError(position, problem))
            continue
        lines.append(Line(row=position, **{name: item.get(name) for name in _FIELDS}))
    if errors:
        return _error(400, _("Nothing was recorded: correct these items."), errors)
    outcome = record_actuals(lines, source=Source.PUSHED, vendor=system.vendor)
    if not outcome.ok:
        return _error(400, _("Nothing was recorded: correct these items."), outcome.errors)
    return JsonResponse(
        {
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
        },
        status=201 if outcome.created else 200,
    )


def _shape_problem(item) -> str:
    """What is wrong with an item's shape before its values are read, or ''."""
    if not isinstance(item, dict):
        return _("each actual is an object with kpi, period and value")
    for name in ("kpi", "period", "note"):
        value = item.get(name)
        if value is not None and (not isinstance(value, str) or "\x00" in value):
            return _("“%(name)s” must be text") % {"name": name}
    value = item.get("value")
    if value is not None and (
        isinstance(value, bool)
        or not isinstance(value, int | float | str)
        or (isinstance(value, str) and "\x00" in value)
    ):
        return _("“value” must be a number")
    return ""
