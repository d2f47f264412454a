"""Bearer tokens of vendors' systems: issuing one, and finding the one a request carries.

An app that takes calls from a vendor's system registers its use once
(``register_use("decisions", _("Record decisions"))`` in its ``ready``); a token is
issued for some of the registered uses, and ``token_of(request, use)`` answers only a
token that is active and allowed that use. The foundation knows no use by name.
"""

import secrets

from django.utils import timezone

from portal.audit.chain import keyed_hash

from .models import SystemToken

#: The label the token is hashed under. It is the one CRM tokens were hashed with before
#: tokens moved here, so that the tokens vendors already hold keep working.
TOKEN_HASH_LABEL = "decision.crm-token"  # noqa: S105 - the hash's label, not a secret

#: use code -> what it lets a system do (for the command's help and listing).
USES: dict[str, str] = {}


def register_use(code: str, label) -> None:
    USES[code] = label


def issue_token(vendor, name: str, uses) -> tuple[SystemToken, str]:
    """A new token for ``vendor``'s system called ``name``, allowed ``uses``: the row, and
    the token itself, which is never stored and cannot be shown again."""
    unknown = sorted(set(uses) - USES.keys())
    if unknown or not uses:
        raise ValueError(f"Unknown uses {unknown!r}; choose among {sorted(USES)}.")
    token = secrets.token_urlsafe(32)
    row = SystemToken.objects.unscoped().create(
        vendor=vendor,
        name=name,
        uses=sorted(set(uses)),
        token_hash=keyed_hash(TOKEN_HASH_LABEL, token),
    )
    return row, token


def token_of(request, use: str) -> SystemToken | None:
    """The active token the request's ``Authorization: Bearer …`` carries, if it is
    allowed ``use``; otherwise None, whatever was wrong."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    # A token is 43 characters; anything far longer is not one, and is not hashed.
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    hashed = keyed_hash(TOKEN_HASH_LABEL, token)
    row = (
        SystemToken.objects.unscoped()
        .active()
        .filter(token_hash=hashed)
        .select_related("vendor")
        .first()
    )
    return row if row is not None and row.allows(use) else None


def revoke_vendor_tokens(vendor_id: int) -> int:
    """Stop every active token of a vendor's systems (its contract has ended); returns
    how many. A revoked token is kept: the row says which system called, until when."""
    return (
        SystemToken.objects.unscoped()
        .active()
        .filter(vendor_id=vendor_id)
        .update(revoked_at=timezone.now())
    )
