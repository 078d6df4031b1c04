"""Refusals as RFC 9457 problem details whose ``type`` ends in a stable code."""

from __future__ import annotations

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
