"""What every answer and every state change of the issuer's HTTP API must pass: the cross-site
guard (state changes only as the issuer's own clients send them) and the security headers.
"""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
from collections.abc import Awaitable, Callable

from aiohttp import web

from issuer.problems import cross_site, unsupported_media_type

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# --- state changes only from the issuer's own clients -------------------------------

API_HEADER = "X-ZorgCert-Request"
"""Every state change under /api/v1/ carries ``X-ZorgCert-Request: 1``. An HTML form cannot set a
header, and a cross-site ``fetch()`` that sets one must first pass a CORS preflight, which the
issuer never grants (it sends no CORS headers at all)."""

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EST_PREFIX = "/.well-known/est/"


def _origin_tuple(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    return parts.scheme.lower(), parts.hostname.lower(), port or {"https": 443, "http": 80}.get(parts.scheme)


def _same_origin(request: web.Request, origin: str) -> bool:
    """``Origin`` equals the issuer's own origin: the scheme (https, or the scheme served here behind
    a TLS terminator), the host and the port the browser addressed (the ``Host`` header)."""
    theirs = _origin_tuple(origin)
    if theirs is None:
        return False
    ours = {_origin_tuple(f"{scheme}://{request.host}") for scheme in {"https", request.scheme}}
    return theirs in ours


def _refuse_cross_site(request: web.Request) -> None:
    """Raise unless this state-changing request can only come from the issuer's own clients."""
    origin = request.headers.get("Origin")
    if origin is not None and not _same_origin(request, origin):
        raise cross_site("requests from another web site are refused (Origin)")
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise cross_site("requests from another web site are refused (Sec-Fetch-Site)")
    if request.path.startswith(EST_PREFIX):
        if request.content_type != "application/pkcs10":
            raise unsupported_media_type("the body must be application/pkcs10 (RFC 7030 §4.2.1)")
        return
    if request.content_type != "application/json":
        raise unsupported_media_type("the body must be application/json")
    if request.headers.get(API_HEADER) != "1":
        raise cross_site(f"a state change needs the header {API_HEADER}: 1")


@web.middleware
async def same_origin_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """State changes (any method but GET/HEAD/OPTIONS) only as the issuer's clients send them.

    The contact person's browser offers their client certificate to the issuer on every
    request, also when another web site starts it: ambient authentication, so every state
    change must carry what an HTML form cannot (see :data:`API_HEADER`).
    """
    if request.method not in SAFE_METHODS and request.match_info.http_exception is None:
        _refuse_cross_site(request)
    return await handler(request)


PORTAL_STYLE = "body{font-family:sans-serif;max-width:40em;margin:2em auto} dt{font-weight:bold}"
STYLE_HASH = base64.b64encode(hashlib.sha256(PORTAL_STYLE.encode()).digest()).decode()

SERVER_NAME = "ZorgCert"
"""The ``Server`` header: no product or version banner (aiohttp would send its own if unset)."""

SECURITY_HEADERS = {
    "Server": SERVER_NAME,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; "
        "frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
    ),
}
"""On every answer, the portal's HTML and the API's JSON alike (the CSP allows only the
portal's own style sheet, by hash)."""


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)
