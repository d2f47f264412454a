"""What the portal trusts in a request: the client's address, a ``next`` to go back to,
text free of NUL bytes, and the Content-Security-Policy header on the way out.

Each is decided here once, for every view, record and sign-in that needs it.
"""

import ipaddress

from csp.constants import HEADER, SELF
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request) -> str | None:
    """The address of the person making the request, as recorded and throttled on.

    ``X-Forwarded-For`` is written by whoever sent the request, so only the entries our
    own proxies appended can be believed: with ``TRUSTED_PROXY_COUNT`` = N, the Nth
    address from the right is the one our outermost proxy saw. With 0 (no proxy) the
    header is ignored, so a client cannot pick the address it is recorded under.
    """
    remote_addr = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote_addr
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if len(forwarded) < hops:
        # The request did not come through all our proxies: nothing in the header is ours.
        return remote_addr
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote_addr


class RefuseNulBytesMiddleware:
    """A NUL byte in a path, a query or a form field is refused with 400.

    No text a person types holds one, and PostgreSQL refuses to store or even compare
    one: left to the views, every filter and search would answer 500. Uploaded files
    are not looked at (their bytes are the importers' business).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _holds_nul(request.GET) or _posted_nul(request):
            return HttpResponseBadRequest("NUL bytes are not accepted.", content_type="text/plain")
        return self.get_response(request)


def _holds_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


def _posted_nul(request) -> bool:
    if request.method != "POST" or not request.content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        return False
    return _holds_nul(request.POST)


def see_other(url) -> HttpResponseRedirect:
    """303: the answer to a POST is another page, fetched with GET by every client (302
    leaves the method to the client), and a reload shows it rather than posting again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def safe_next(request, fallback: str) -> str:
    """The posted (or queried) ``next`` if it stays on this site, else ``fallback``.

    ``fallback`` is anything ``redirect()`` takes: a path or a URL name.
    """
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, with the two exceptions the Wagtail admin needs.

    - Under the admin's URL, the directives of ``CONTENT_SECURITY_POLICY_ADMIN`` replace
      the site's: Wagtail's own templates start panels and widgets with inline scripts.
    - A response the view lets the same origin frame (``X-Frame-Options: SAMEORIGIN``, as
      Wagtail sets on its previews for the editor's preview panel) says so in
      ``frame-ancestors`` too: browsers ignore ``X-Frame-Options`` when both are sent.
    """

    def process_response(self, request, response):
        if HEADER in response and _in_admin(request):
            # A Wagtail preview serves the page through the middleware once more, as a
            # request for the page's own URL; the policy that pass wrote is the page's.
            del response[HEADER]
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        replace = dict(parts.replace or {})
        if _in_admin(request):
            replace |= settings.CONTENT_SECURITY_POLICY_ADMIN
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
            replace["frame-ancestors"] = [SELF]
        parts.replace = replace or None
        return parts


def _in_admin(request) -> bool:
    return request.path_info.startswith(reverse("wagtailadmin_home"))
