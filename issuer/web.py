"""The issuer's HTTP API (aiohttp): EST (RFC 7030), JSON for the app and user management, the portal.

The TLS client certificate comes from the server's own TLS layer
(``ssl_object.getpeercert(binary_form=True)``), or, behind a TLS terminator, from a
header that only trusted proxy addresses may set (see docs/issuer.md).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import html
import json
import logging
import secrets
import urllib.parse
from collections.abc import Callable
from typing import Any

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from app.enroll.chain import ChainUntrusted, path_to_pin
from app.enroll.csrattrs import csrattrs_der
from app.policy import Refusal, format_span
from issuer.approval import EnrollmentPending
from issuer.ca import pkcs7_certs_only
from issuer.core import Holder
from issuer.guards import PORTAL_STYLE, Handler, same_origin_only, security_headers
from issuer.letters import kind_words
from issuer.problems import EdgeProblem, Problem, plain_http
from issuer.proxy import Networks, from_trusted_proxy
from issuer.service import IssuerService

log = logging.getLogger("zorgcert.issuer")

SERVICE: web.AppKey[IssuerService] = web.AppKey("service", IssuerService)
PROXY: web.AppKey[tuple[str, Networks] | None] = web.AppKey("proxy", object)  # type: ignore[arg-type]

BODY_TIMEOUT: web.AppKey[float] = web.AppKey("body_timeout", float)
LABELS: web.AppKey[dict[str, str]] = web.AppKey("est_labels", dict)

PKCS7 = "application/pkcs7-mime; smime-type=certs-only"


async def _run(request: web.Request, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a (blocking) service call in a worker thread."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(fn, *args, **kwargs))


def _problem_response(problem: Problem) -> web.Response:
    resp = web.json_response(problem.body(), status=problem.status, content_type="application/problem+json")
    if problem.code is Refusal.PIN_INVALID:
        resp.headers["WWW-Authenticate"] = 'Basic realm="zorgcert", charset="UTF-8"'
    return resp


@web.middleware
async def problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every refusal as application/problem+json; unexpected errors logged with a reference."""
    try:
        return await handler(request)
    except Problem as p:
        return _problem_response(p)
    except EdgeProblem as p:
        return web.json_response(p.body(), status=p.status, content_type="application/problem+json")
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if exc.status in (400, 404):
            body = Problem(Refusal.BAD_REQUEST if exc.status == 400 else Refusal.NOT_FOUND, exc.reason).body()
        else:  # 405, 413 ...: no code of ours, the plain HTTP meaning (RFC 9457 §4.2.1)
            body = plain_http(exc.status)
        response = web.json_response(body, status=exc.status, content_type="application/problem+json")
        if "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except Exception:
        ref = secrets.token_hex(4)
        log.exception("internal error, reference %s", ref)
        body = {
            "type": "about:blank",
            "title": "Internal error",
            "status": 500,
            "detail": f"internal error; quote reference {ref} to Support",
            "reference": ref,
        }
        return web.json_response(body, status=500, content_type="application/problem+json")



# --- who is calling ----------------------------------------------------------------


def client_cert_der(request: web.Request) -> bytes | None:
    """The DER of the caller's verified client certificate, or None."""
    proxy = request.app[PROXY]
    if proxy is not None:
        header, trusted = proxy
        if not from_trusted_proxy(request.remote, trusted):
            return None  # anyone else's header is ignored: not authenticated
        value = request.headers.get(header)
        return _verify_forwarded(request.app[SERVICE], value) if value else None
    transport = request.transport
    ssl_object = transport.get_extra_info("ssl_object") if transport else None
    if ssl_object is None:
        return None
    return ssl_object.getpeercert(binary_form=True) or None


def _verify_forwarded(service: IssuerService, value: str) -> bytes | None:
    """A certificate forwarded by the TLS terminator (URL-encoded PEM), checked again here."""
    try:
        cert = x509.load_pem_x509_certificate(urllib.parse.unquote(value).encode())
    except ValueError:
        return None
    if cert in (service.ca.root_cert, service.ca.issuing_cert):
        return None  # a CA certificate is never a client's
    # check the chain as of a moment inside the certificate's life: expiry is the service's call,
    # so an expired certificate gets its own explanation instead of a bare refusal
    moment = min(service.now(), cert.not_valid_after_utc)
    try:
        path_to_pin(cert, [service.ca.issuing_cert], [service.ca.root_cert], now=moment)
    except ChainUntrusted:
        return None
    return cert.public_bytes(Encoding.DER)


async def holder(request: web.Request) -> Holder:
    svc = request.app[SERVICE]
    return await _run(request, svc.authenticate, client_cert_der(request))


async def _body(request: web.Request) -> bytes:
    """The request body, which must arrive within the body timeout (a trickled body holds a
    connection that is never idle, so the connection cap could not reclaim it)."""
    try:
        async with asyncio.timeout(request.app[BODY_TIMEOUT]):
            return await request.read()
    except TimeoutError:
        raise EdgeProblem(408, "request-timeout", "Request timeout", "the request body came too slowly") from None


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await _body(request))
    except ValueError:
        raise Problem(Refusal.BAD_REQUEST, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise Problem(Refusal.BAD_REQUEST, "the body must be a JSON object")
    return body


def _text_field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise Problem(Refusal.BAD_REQUEST, f"field {name!r} is required")
    return value


# --- EST (RFC 7030) ------------------------------------------------------------------


def _b64_response(der: bytes, content_type: str) -> web.Response:
    """``der`` base64-encoded as RFC 7030 §4 wants it: RFC 2045 lines of 76 characters, each ending CRLF."""
    body = base64.encodebytes(der).replace(b"\n", b"\r\n")
    return web.Response(
        body=body, headers={"Content-Type": content_type, "Content-Transfer-Encoding": "base64"}
    )


async def _csr_body(request: web.Request) -> bytes:
    raw = await _body(request)
    if not raw.strip():
        raise Problem(Refusal.BAD_REQUEST, "the body must hold a base64 PKCS#10 request")
    if raw.lstrip().startswith(b"-----BEGIN"):  # PEM from lenient clients; load_csr reads it
        return raw
    try:
        return base64.b64decode(b"".join(raw.split()), validate=True)
    except (binascii.Error, ValueError):
        if raw[:1] == b"\x30":  # plain DER (a SEQUENCE) from lenient clients
            return raw
        raise Problem(Refusal.BAD_REQUEST, "the body is not base64 (RFC 7030 §4.2.1)") from None


def _label_kind(request: web.Request) -> str | None:
    """The certificate kind of the request's EST label (RFC 7030 §3.2.2); None without a label.

    An unknown label is 404 with a problem document naming the labels there are (not the input).
    """
    label = request.match_info.get("label")
    if label is None:
        return None
    labels = request.app[LABELS]
    if label not in labels:
        known = ", ".join(sorted(labels)) or "none"
        raise Problem(Refusal.NOT_FOUND, f"this issuer has no such EST label (its labels: {known})")
    return labels[label]


async def est_cacerts(request: web.Request) -> web.Response:
    _label_kind(request)  # one CA for every label
    ca = request.app[SERVICE].ca
    return _b64_response(pkcs7_certs_only(ca.chain()), "application/pkcs7-mime")


async def est_csrattrs(request: web.Request) -> web.Response:
    _label_kind(request)
    return _b64_response(csrattrs_der(rsa_bits=3072), "application/csrattrs")


def _basic_auth(request: web.Request) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        raise Problem(Refusal.PIN_INVALID, "enrollment needs the user number and PIN (HTTP Basic)")
    try:
        user, sep, pin = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, ValueError):
        raise Problem(Refusal.BAD_REQUEST, "malformed Authorization header") from None
    if not sep:
        raise Problem(Refusal.BAD_REQUEST, "malformed Authorization header")
    return user, pin


async def est_simpleenroll(request: web.Request) -> web.Response:
    kind = _label_kind(request)
    user_number, pin = _basic_auth(request)
    csr = await _csr_body(request)
    svc = request.app[SERVICE]
    try:
        cert = await _run(request, svc.enroll_with_pin, user_number, pin, csr, kind=kind)
    except EnrollmentPending as pending:  # RFC 7030 §4.2.3: accepted, the certificate comes later
        return web.Response(
            status=202,
            text=f"request received; waiting for the issuer's approval; ask again after {pending.retry_after} s\n",
            headers={"Retry-After": str(pending.retry_after)},
        )
    return _b64_response(pkcs7_certs_only([cert]), PKCS7)


async def est_simplereenroll(request: web.Request) -> web.Response:
    kind = _label_kind(request)
    der = client_cert_der(request)
    if not der:
        raise Problem(
            Refusal.NOT_AUTHORISED, "renewal needs the current certificate (TLS client authentication)"
        )
    csr = await _csr_body(request)
    svc = request.app[SERVICE]
    cert = await _run(request, svc.renew, der, csr, kind=kind)
    return _b64_response(pkcs7_certs_only([cert]), PKCS7)


# --- JSON API -----------------------------------------------------------------------


async def policy(request: web.Request) -> web.Response:
    d = request.app[SERVICE].durations
    return web.json_response(
        {
            "validity": format_span(d.validity),
            "renewal_window": format_span(d.renewal_window),
            "install_window": format_span(d.install_window),
            "max_pin_attempts": d.max_pin_attempts,
        }
    )


async def certificate_by_key(request: web.Request) -> web.Response:
    der = await _run(request, request.app[SERVICE].certificate_for_key, request.match_info["key_sha256"])
    pem = x509.load_der_x509_certificate(der).public_bytes(Encoding.PEM)
    return web.Response(body=pem, content_type="application/pem-certificate-chain")


async def me(request: web.Request) -> web.Response:
    h = await holder(request)
    return web.json_response(await _run(request, request.app[SERVICE].me, h))


async def org_users(request: web.Request) -> web.Response:
    h = await holder(request)
    return web.json_response(await _run(request, request.app[SERVICE].org_users, h))


async def org_request_user(request: web.Request) -> web.Response:
    h = await holder(request)
    body = await _json(request)
    auths = body.get("authorisations")
    if auths is not None and not (isinstance(auths, list) and all(isinstance(a, str) for a in auths)):
        raise Problem(Refusal.BAD_REQUEST, "authorisations must be a list of service names")
    result = await _run(
        request,
        request.app[SERVICE].request_user,
        h,
        kind=_text_field(body, "kind"),
        name=_text_field(body, "name"),
        email=_text_field(body, "email"),
        authorisations=tuple(auths) if auths else None,
    )
    return web.json_response(result, status=202)


async def org_authorisation(request: web.Request) -> web.Response:
    h = await holder(request)
    granted = request.method == "PUT"
    result = await _run(
        request,
        request.app[SERVICE].set_authorisation,
        h,
        request.match_info["user_number"],
        request.match_info["service"],
        granted,
    )
    return web.json_response({"authorisations": result})


REVOKE_REASONS = ("key-compromise", "affiliation-changed", "superseded", "cessation")
"""What a contact person may give as the reason (RFC 5280 keyCompromise, affiliationChanged,
superseded, cessationOfOperation). Never a default: a revocation without a reason is refused.
(``lost`` is Support's, R7: passed on, so the service refuses it with not-authorised.)"""


async def org_revoke(request: web.Request) -> web.Response:
    h = await holder(request)
    body = await _json(request)
    reason = body.get("reason")
    if reason not in (*REVOKE_REASONS, "lost"):
        raise Problem(
            Refusal.BAD_REQUEST,
            f"field 'reason' is required, one of: {', '.join(REVOKE_REASONS)}",
            allowed_reasons=list(REVOKE_REASONS),
        )
    serials = await _run(
        request, request.app[SERVICE].revoke, request.match_info["user_number"], reason, by=h
    )
    return web.json_response({"revoked": serials})


async def org_unblock(request: web.Request) -> web.Response:
    h = await holder(request)
    await _json(request)  # a JSON object, even if empty: no state change from a body-less POST
    await _run(request, request.app[SERVICE].unblock, request.match_info["user_number"], by=h)
    return web.json_response({"unblocked": request.match_info["user_number"]})


async def messages(request: web.Request) -> web.Response:
    h = await holder(request)
    return web.json_response(await _run(request, request.app[SERVICE].messages, h))


async def cov_check(request: web.Request) -> web.Response:
    """Demo web service (controle op verzekeringsrecht): system certificates with ``cov`` only."""
    h = await holder(request)
    caller = await _run(request, request.app[SERVICE].authorised, h, "cov", kind="system")
    body = await _json(request)
    bsn = _text_field(body, "bsn")
    if not (bsn.isdigit() and len(bsn) == 9):
        raise Problem(Refusal.BAD_REQUEST, "bsn must be nine digits")
    # a fixed, fake answer: this is a demonstration service, it knows no one
    return web.json_response(
        {
            "bsn": bsn,
            "insured": int(bsn[-1]) % 2 == 0,
            "insurer": "Demo Zorgverzekeraar",
            "checked_for": caller,
        }
    )


_PORTAL = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>ZorgCert portaal</title>
<style>{style}</style></head>
<body><h1>Welkom {name} (gebruikersnummer {user_number})</h1>
<p>U bent ingelogd met uw {kind} bij {org}.</p>
<dl><dt>Contactpersoon</dt><dd>{contact}</dd>
<dt>Certificaat geldig tot</dt><dd>{until}</dd>
<dt>Autorisaties</dt><dd>{auths}</dd></dl>
</body></html>
"""


def _dutch_names(info: dict[str, Any]) -> dict[str, str]:
    """Service id -> Dutch name, from the catalogue ``me`` carries."""
    return {c["id"]: c["name"]["nl"] for c in info.get("catalogue", ())}


async def portal(request: web.Request) -> web.Response:
    h = await holder(request)
    info = await _run(request, request.app[SERVICE].me, h)
    cp = info["contact_person"]
    page = _PORTAL.format(
        style=PORTAL_STYLE,
        name=html.escape(info["name"]),
        user_number=html.escape(info["user_number"]),
        kind=kind_words(info["kind"]),
        org=html.escape(info["organisation"]["name"]),
        contact=html.escape(f"{cp['name']} ({cp['email']})") if cp else "nog niet aangewezen",
        until=html.escape(info["certificate"]["not_after"]),
        auths=html.escape(", ".join(_dutch_names(info).get(a, a) for a in info["authorisations"]) or "geen"),
    )
    return web.Response(text=page, content_type="text/html")


def make_app(
    service: IssuerService,
    *,
    proxy: tuple[str, Networks] | None = None,
    body_timeout: float = 15.0,
    est_only: bool = False,
    est_labels: dict[str, str] | None = None,
) -> web.Application:
    """The aiohttp application; ``proxy`` = (header, trusted networks) behind a TLS terminator.

    Without ``proxy`` no header authenticates anyone: the certificate comes from our own TLS only.
    With ``est_only`` only ``/.well-known/est/*`` is served (a plain RFC 7030 server: the JSON API
    and the portal answer 404), so clients can be tested against the standard alone.
    ``est_labels`` (label -> certificate kind) adds ``/.well-known/est/<label>/...`` (RFC 7030 §3.2.2).
    """
    if proxy is not None and not proxy[1]:
        raise ValueError("a client-certificate header needs at least one trusted proxy address")
    app = web.Application(middlewares=[problems, same_origin_only], client_max_size=64 * 1024)
    app.on_response_prepare.append(security_headers)
    app[SERVICE] = service
    app[PROXY] = proxy
    app[BODY_TIMEOUT] = body_timeout
    app[LABELS] = dict(est_labels or {})
    for est in ("/.well-known/est", "/.well-known/est/{label}"):
        app.router.add_get(f"{est}/cacerts", est_cacerts)
        app.router.add_get(f"{est}/csrattrs", est_csrattrs)
        app.router.add_post(f"{est}/simpleenroll", est_simpleenroll)
        app.router.add_post(f"{est}/simplereenroll", est_simplereenroll)
    if est_only:
        return app
    app.router.add_get("/api/v1/policy", policy)
    app.router.add_get("/api/v1/me", me)
    app.router.add_get("/api/v1/certificates/by-key/{key_sha256}", certificate_by_key)
    app.router.add_get("/api/v1/org/users", org_users)
    app.router.add_post("/api/v1/org/users", org_request_user)
    app.router.add_put("/api/v1/org/users/{user_number}/authorisations/{service}", org_authorisation)
    app.router.add_delete("/api/v1/org/users/{user_number}/authorisations/{service}", org_authorisation)
    app.router.add_post("/api/v1/org/users/{user_number}/revoke", org_revoke)
    app.router.add_post("/api/v1/org/users/{user_number}/unblock", org_unblock)
    app.router.add_get("/api/v1/messages", messages)
    app.router.add_post("/api/v1/cov/check", cov_check)
    app.router.add_get("/portal/", portal)
    from issuer import practice_web  # the desk's routes (issue 16); imports this module, so not at the top

    practice_web.add_routes(app)
    return app
