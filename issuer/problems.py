"""Refusals as RFC 9457 problem details whose ``type`` ends in a stable code."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from app.policy import Refusal

TYPE_PREFIX = "urn:zorgcert:problem:"

STATUS = {
    Refusal.PIN_INVALID: 401,
    Refusal.USER_BLOCKED: 403,
    Refusal.INSTALL_WINDOW_EXPIRED: 410,
    Refusal.STILL_VALID: 409,
    Refusal.RENEWAL_NOT_OPEN: 409,
    Refusal.REVOKED: 403,
    Refusal.NO_AGREEMENT: 409,
    Refusal.NOT_AUTHORISED: 403,
    Refusal.NOT_APPROVED: 403,
    Refusal.BAD_REQUEST: 400,
    Refusal.NOT_FOUND: 404,
    Refusal.CERTIFICATE_EXPIRED: 403,
    Refusal.SUPERSEDED: 403,
}

TITLE = {
    Refusal.PIN_INVALID: "User number or PIN is wrong",
    Refusal.USER_BLOCKED: "User number is blocked",
    Refusal.INSTALL_WINDOW_EXPIRED: "Install window has passed",
    Refusal.STILL_VALID: "Certificate is still valid",
    Refusal.RENEWAL_NOT_OPEN: "Renewal is not open yet",
    Refusal.REVOKED: "Certificate is revoked",
    Refusal.NO_AGREEMENT: "Organisation has no agreement",
    Refusal.NOT_AUTHORISED: "Not authorised",
    Refusal.NOT_APPROVED: "User not approved yet",
    Refusal.BAD_REQUEST: "Bad request",
    Refusal.NOT_FOUND: "Not found",
    Refusal.CERTIFICATE_EXPIRED: "Certificate has expired",
    Refusal.SUPERSEDED: "Certificate has been replaced by a newer one",
}


class Problem(Exception):
    """A refusal the client can act on; ``detail`` never holds a secret."""

    def __init__(self, code: Refusal, detail: str, **extensions: Any):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.extensions = extensions

    @property
    def status(self) -> int:
        return STATUS[self.code]

    def body(self) -> dict[str, Any]:
        """The ``application/problem+json`` document."""
        return {
            "type": TYPE_PREFIX + self.code.value,
            "title": TITLE[self.code],
            "status": self.status,
            "detail": self.detail,
            "code": self.code.value,
            **self.extensions,
        }


class EdgeProblem(Exception):
    """A refusal at the HTTP edge, before any lifecycle rule: a cross-site request, a wrong media type.

    Same document shape as :class:`Problem` (``type`` ends in ``code``), but the codes are not
    :class:`Refusal` members: no lifecycle rule is involved and the app never sends such requests.
    """

    def __init__(self, status: int, code: str, title: str, detail: str, **extensions: Any):
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.extensions = extensions

    def body(self) -> dict[str, Any]:
        return {
            "type": TYPE_PREFIX + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            **self.extensions,
        }


def cross_site(detail: str) -> EdgeProblem:
    return EdgeProblem(403, "cross-site-request", "Cross-site request refused", detail)


def unsupported_media_type(detail: str) -> EdgeProblem:
    return EdgeProblem(415, "unsupported-media-type", "Unsupported media type", detail)


def plain_http(status: int) -> dict[str, Any]:
    """The document for an HTTP status with no code of ours (RFC 9457 §4.2.1: about:blank)."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    return {"type": "about:blank", "title": title, "status": status}
