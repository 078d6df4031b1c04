"""The client for the issuer's user-management and message-box API, logged in with a certificate of this wallet.

Every call goes over ``IssuerClient.call`` (``app.enroll.est``): TLS pinned to the issuer CA, our
certificate and key from the vault. Every answer is checked before it becomes one of the types of
``app.practice.users`` / ``app.practice.messages``. No PIN is logged: a PIN message's PIN is handed
back only by :meth:`Practice.reveal_pin`, wrapped in ``Pin``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from cryptography import x509

from app.enroll.identity import load_key
from app.errors import ExtensionMissing, IssuerProtocolError, IssuerRefused, NotInWallet, StoreProblem, UsageError
from app.policy import Durations, is_valid_user_number, normalise_user_number
from app.practice import KINDS, REVOKE_REASONS
from app.practice.messages import Message, MessageBox, Pin, parse
from app.practice.users import (
    Desk,
    Organisation,
    OrgUser,
    Service,
    SupportDesk,
    Viewer,
    org_user,
)

if TYPE_CHECKING:
    from app.lifecycle.services import ZorgCert
    from app.state.wallet import Entry

log = logging.getLogger("zorgcert")


@dataclass(frozen=True)
class RequestReceipt:
    """R1: the issuer accepted a request; Support approves or rejects it (``request_id``)."""

    request_id: str
    user_number: str | None
    status: str

    def as_dict(self) -> dict[str, Any]:
        return {"request_id": self.request_id, "user_number": self.user_number, "status": self.status}


def login_entry(core: ZorgCert, user_number: str | None = None) -> Entry:
    """The wallet certificate to log in with: ``user_number``'s, else the longest-valid personal one (else any)."""
    now = core.clock.now()
    entries = [e for e in core.wallet.entries() if not e.revoked]
    if user_number is not None:
        user_number = normalise_user_number(user_number)
        entries = [e for e in entries if e.user_number == user_number]
        if not entries:
            raise NotInWallet("unknown", user_number=user_number)
    usable = [e for e in entries if e.not_after_dt > now]
    if not usable:
        raise NotInWallet("no valid certificate", user_number=user_number or "-")
    personal = [e for e in usable if e.kind == "personal"]
    return sorted(personal or usable, key=lambda e: e.not_after_dt)[-1]


def _table(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    return value if isinstance(value, Mapping) else {}


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return value.strip() if isinstance(value, str) else ""


def catalogue_from(raw: Any) -> tuple[Service, ...]:
    """The issuer's service catalogue (``[{"id", "name": {"nl", "en"}, "kinds"?}]``), checked; bad entries skipped."""
    out = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, Mapping):
            continue
        sid = item.get("id") or item.get("service")
        if not isinstance(sid, str) or not sid:
            continue
        names = _table(item, "name")
        nl = _text(names, "nl") or sid
        en = _text(names, "en") or nl
        kinds = item.get("kinds")
        allowed = tuple(k for k in kinds if k in KINDS) if isinstance(kinds, list) else KINDS
        out.append(Service(sid, nl, en, allowed or KINDS, own_form=sid == "zorginkoopportaal"))
    return tuple(out)


def organisation_from(me: Mapping[str, Any]) -> Organisation:
    org = _table(me, "organisation")
    return Organisation(name=_text(org, "name"), agb=_text(org, "agb"), kvk=_text(org, "kvk"),
                        address=_text(org, "address"), contact_name=_contact(me, "name"),
                        contact_email=_contact(me, "email"), contact_user_number=_contact(me, "user_number"))


def _contact(me: Mapping[str, Any], key: str) -> str:
    cp = me.get("contact_person")
    return _text(cp, key) if isinstance(cp, Mapping) else ""


def support_from(me: Mapping[str, Any]) -> SupportDesk:
    raw = _table(me, "support")
    return SupportDesk(phone=_text(raw, "phone"), email=_text(raw, "email"), url=_text(raw, "url"))


def _user_path(user_number: str, tail: str = "") -> str:
    number = normalise_user_number(user_number)
    if not is_valid_user_number(number):
        raise UsageError(f"{user_number!r} is not a user number (14 digits)")
    return f"/api/v1/org/users/{number}{tail}"


class Practice:
    """The contact person's desk against the issuer, logged in as one certificate of this wallet."""

    def __init__(self, core: ZorgCert, user_number: str | None = None):
        self.core = core
        self.entry = login_entry(core, user_number)
        sealed = core.vault.get(self.entry.fingerprint)
        if sealed is None or sealed.cert_der is None:
            raise StoreProblem("no key for this certificate in the vault", store="vault",
                               fix="restore your backup, then try again")
        self._cert = x509.load_der_x509_certificate(sealed.cert_der)
        self._key = load_key(sealed.key_der)
        self._me: dict[str, Any] | None = None

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.core.client.call(self._cert, self._key, method, path, body=body)

    # --- who, where ---------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        if self._me is None:
            me = self.core.client.me(self._cert, self._key)
            self._me = me
        return self._me

    def viewer(self) -> Viewer:
        me = self.me()
        return Viewer(user_number=str(me.get("user_number") or self.entry.user_number),
                      name=str(me.get("name") or self.entry.name),
                      is_contact_person=me.get("is_contact_person") is True)

    def organisation(self) -> Organisation:
        return organisation_from(self.me())

    def catalogue(self) -> tuple[Service, ...]:
        """The issuer's services (R10): from ``/api/v1/me`` (``catalogue``), else ``/api/v1/services``."""
        me = self.me()
        if isinstance(me.get("catalogue"), list):
            return catalogue_from(me["catalogue"])
        try:
            raw = self._call("GET", "/api/v1/services")
        except ExtensionMissing:
            return ()
        except IssuerRefused as exc:  # an older issuer of ours answers a problem document "not-found"
            if exc.code != "not-found":
                raise
            return ()
        return catalogue_from(raw.get("services") if isinstance(raw, Mapping) else raw)

    # --- user management ----------------------------------------------------------------

    def users(self) -> tuple[OrgUser, ...]:
        raw = self._call("GET", "/api/v1/org/users")
        if not isinstance(raw, list):
            raise IssuerProtocolError("/api/v1/org/users is not a JSON list")
        now = self.core.clock.now()
        durations = self._durations()
        return tuple(org_user(u, durations, now) for u in raw if isinstance(u, Mapping))

    def _durations(self) -> Durations | None:
        policy = self.core.client.policy()
        if not policy:
            return None
        try:
            return Durations.from_iso(validity=str(policy["validity"]), renewal_window=str(policy["renewal_window"]),
                                      install_window=str(policy["install_window"]))
        except (KeyError, ValueError, TypeError):
            return None

    def desk(self) -> Desk:
        """User management; for someone who is not the contact person without users (the issuer would refuse)."""
        viewer = self.viewer()
        return Desk(viewer=viewer, organisation=organisation_from(self.me()),
                    users=self.users() if viewer.is_contact_person else (),
                    catalogue=self.catalogue(), support=support_from(self.me()), at=self.core.clock.now())

    def request_user(self, *, name: str, email: str, kind: str,
                     authorisations: tuple[str, ...] | None = None) -> RequestReceipt:
        if kind not in KINDS:
            raise UsageError(f"kind must be one of {', '.join(KINDS)}")
        body: dict[str, Any] = {"name": name.strip(), "email": email.strip(), "kind": kind}
        if authorisations:
            body["authorisations"] = list(authorisations)
        raw = self._call("POST", "/api/v1/org/users", body)
        if not isinstance(raw, Mapping):
            raise IssuerProtocolError("the answer to a request is not a JSON object")
        number = raw.get("user_number") if isinstance(raw.get("user_number"), str) else None
        rid = raw.get("request_id")
        request_id = str(rid) if isinstance(rid, int | str) and str(rid) else (number or "")
        if not request_id:
            raise IssuerProtocolError("the answer to a request names no request")
        log.info("user requested: request %s, user %s, kind %s", request_id, number, kind)
        return RequestReceipt(request_id=request_id, user_number=number, status=str(raw.get("status") or "pending"))

    def unblock(self, user_number: str) -> None:
        self._call("POST", _user_path(user_number, "/unblock"), {})
        log.info("user %s unblocked", user_number)

    def revoke(self, user_number: str, reason: str) -> tuple[str, ...]:
        if reason not in REVOKE_REASONS:
            raise UsageError(f"reason must be one of {', '.join(REVOKE_REASONS)}")
        raw = self._call("POST", _user_path(user_number, "/revoke"), {"reason": reason})
        serials = raw.get("revoked") if isinstance(raw, Mapping) else None
        log.info("user %s revoked (%s)", user_number, reason)
        return tuple(str(s) for s in serials) if isinstance(serials, list) else ()

    def set_authorisation(self, user_number: str, service: str, granted: bool) -> tuple[str, ...]:
        if not service or not service.replace("-", "").isalnum():
            raise UsageError(f"{service!r} is not a service name")
        raw = self._call("PUT" if granted else "DELETE",
                         _user_path(user_number, f"/authorisations/{quote(service, safe='')}"))
        auths = raw.get("authorisations") if isinstance(raw, Mapping) else None
        log.info("user %s: authorisation %s %s", user_number, service, "granted" if granted else "withdrawn")
        return tuple(sorted(a for a in auths if isinstance(a, str))) if isinstance(auths, list) else ()

    # --- the message box ------------------------------------------------------------------

    def messages(self) -> MessageBox:
        raw = self._call("GET", "/api/v1/messages")
        if not isinstance(raw, list):
            raise IssuerProtocolError("/api/v1/messages is not a JSON list")
        out = []
        for item in raw:
            if isinstance(item, Mapping):
                try:
                    out.append(parse(item)[0])
                except ValueError:
                    continue
        return MessageBox(tuple(out))

    def _open(self, message_id: int) -> tuple[Message, Pin | None]:
        try:
            raw = self._call("GET", f"/api/v1/messages/{int(message_id)}")
        except IssuerRefused as exc:  # an older issuer of ours has no single message: its list holds the bodies
            if exc.code != "not-found":
                raise
            listed = self._call("GET", "/api/v1/messages")
            raw = next((m for m in listed if isinstance(m, Mapping) and m.get("id") == int(message_id)), None) \
                if isinstance(listed, list) else None
            if raw is None:
                raise
        if not isinstance(raw, Mapping):
            raise IssuerProtocolError("a message is not a JSON object")
        try:
            return parse(raw)
        except ValueError:
            raise IssuerProtocolError("a message without an id") from None

    def open_message(self, message_id: int) -> Message:
        """One message, opened (the issuer marks it read); a PIN in it stays masked."""
        return self._open(message_id)[0]

    def reveal_pin(self, message_id: int) -> Pin:
        """The PIN of a PIN message: only on the user's deliberate request. Logged without the PIN."""
        message, pin = self._open(message_id)
        if pin is None:
            raise UsageError(f"message {message_id} holds no PIN")
        log.info("PIN of message %s shown to the user", message.id)
        return pin

    def delete_message(self, message_id: int) -> None:
        self._call("DELETE", f"/api/v1/messages/{int(message_id)}")
        log.info("message %s deleted", message_id)
