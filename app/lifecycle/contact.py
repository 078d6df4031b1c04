"""R11 'who is my contact person': ask the issuer with the certificate and key from the vault."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography import x509

from app.enroll.identity import load_key
from app.errors import NotInWallet, StoreProblem

if TYPE_CHECKING:
    from app.lifecycle.services import ZorgCert


@dataclass(frozen=True)
class ContactPerson:
    """The organisation's contact person as the issuer names them (``None`` fields when it has none)."""

    organisation: str
    name: str | None
    email: str | None
    user_number: str | None
    you_are_it: bool


def contact_person(core: ZorgCert, user_number: str | None = None) -> ContactPerson:
    """Log in to the issuer with a certificate of this machine and read ``/api/v1/me``.

    ``core`` is an ``app.lifecycle.services.ZorgCert``; without ``user_number`` the first usable
    certificate is taken (any certificate of the organisation knows its contact person).
    """
    entries = [e for e in core.wallet.entries() if not e.revoked]
    if user_number is not None:
        entries = [e for e in entries if e.user_number == user_number]
        if not entries:
            raise NotInWallet("unknown", user_number=user_number)
    now = core.clock.now()
    usable = [e for e in entries if e.not_after_dt > now]
    if not usable:
        raise NotInWallet("no valid certificate", user_number=user_number or "-")
    entry = usable[-1]  # the longest-valid one
    sealed = core.vault.get(entry.fingerprint)
    if sealed is None or sealed.cert_der is None:
        raise StoreProblem("no key for this certificate in the vault", store="vault",
                           fix="restore your backup, then try again")
    me = core.client.me(x509.load_der_x509_certificate(sealed.cert_der), load_key(sealed.key_der))
    cp = me.get("contact_person") or {}
    return ContactPerson(
        organisation=str((me.get("organisation") or {}).get("name", "")),
        name=cp.get("name"),
        email=cp.get("email"),
        user_number=cp.get("user_number"),
        you_are_it=bool(me.get("is_contact_person")),
    )
