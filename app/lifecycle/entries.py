"""The wallet entry an install or renewal records, the durations it keeps, and website trust taken off CAs.

Split from ``app.lifecycle.services`` (which re-exports ``drop_website_trust``) to keep that module short.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from app.policy import format_span
from app.state.journal import Operation
from app.state.wallet import Entry
from keystore.base import CertStore, StoreRef, fingerprint

log = logging.getLogger("zorgcert")


@runtime_checkable
class CleansWebsiteTrust(Protocol):
    """A store that can hold CA certificates trusted for websites (NSS) and take that trust off again."""

    def drop_website_trust(self, ca_ders: list[bytes]) -> list[str]:
        """The nicknames of the issuer CA certificates (of ``ca_ders``) whose website trust was removed."""
        ...


def drop_website_trust(store: CertStore, ca_ders: list[bytes]) -> list[str]:
    """Take website trust off the issuer's CA certificates in ``store`` (NSS: an older ZorgCert added ``C,,``).

    A client-certificate wallet never makes a CA trusted for server authentication; this
    undoes what earlier versions did, on the next install, renewal, restore or ``doctor``.
    """
    if not isinstance(store, CleansWebsiteTrust):
        return []
    changed = list(store.drop_website_trust(ca_ders))
    if changed:
        log.info("removed website trust from %s in %s", ", ".join(changed), store.location)
    return changed


def derived_policy(cert: Any, renewal_window: str) -> dict[str, str]:
    """The durations of a plain EST issuer's certificate: validity from its own dates, R5 from our configuration,
    R3 the rules' 60 days (the app never enforces it)."""
    life = cert.not_valid_after_utc - cert.not_valid_before_utc
    return {"validity": format_span(life), "renewal_window": renewal_window, "install_window": "P60D"}


def fingerprint_of(cert: Any) -> str:
    return fingerprint(cert.public_bytes(Encoding.DER))


def entry_for(
    op: Operation, cert: Any, refs: list[StoreRef], issuer_url: str, now: datetime, old: Entry | None
) -> Entry:
    def attr(oid: Any) -> str:
        values = cert.subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    how = "renew" if op.kind == "renew" else ("reinstall" if old is not None else "install")
    return Entry(
        user_number=op.user_number,
        kind=op.entry["kind"],
        name=attr(NameOID.COMMON_NAME),
        organisation=attr(NameOID.ORGANIZATION_NAME),
        subject=cert.subject.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        fingerprint=fingerprint_of(cert),
        not_before=cert.not_valid_before_utc.isoformat(),
        not_after=cert.not_valid_after_utc.isoformat(),
        installed_at=now.isoformat(),
        how=how,
        issuer_url=issuer_url,
        policy=op.entry["policy"],
        stores=refs,
        last_backup_at=old.last_backup_at if old else None,
    )
