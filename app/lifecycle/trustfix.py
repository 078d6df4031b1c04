"""Undo what older versions did: the issuer's root trusted for websites (``C,,``) in NSS databases.

A client-certificate wallet must never make a CA trusted for server authentication. Older
ZorgCert versions did, in every NSS database they installed into. ``status`` (which the CLI,
the app and the tray agent run) calls ``drop_stale_website_trust``: it reads each database's
SQLite file (no process) and only when a CA that looks like the issuer's is trusted for
websites does it check signatures and run ``certutil -M`` once. Which CAs: the pinned issuer CA
and the CAs that signed our certificates there; never another CA the user trusted.
Only that fix needs cryptography and the NSS backend: they are imported in the one section
at the end, "Imported on first use".
"""

from __future__ import annotations

import base64
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import ZorgCertError
from app.state import config
from app.state.paths import Paths
from app.state.wallet import Wallet
from keystore.base import fingerprint
from keystore.nss_read import WebsiteTrust, website_trusted_issuer_cas

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

log = logging.getLogger("zorgcert")
_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.S)


def _pinned_ders(paths: Paths) -> list[bytes]:
    """DER of the configured issuer CA file's certificates; [] when there is none (standard library only)."""
    try:
        ca_file = config.issuer(paths).ca_file
        text = Path(ca_file).read_bytes()
    except (ZorgCertError, OSError):
        return []
    ders = []
    for body in _PEM.findall(text):
        try:
            ders.append(base64.b64decode(b"".join(body.split()), validate=True))
        except ValueError:
            continue
    return ders


def drop_stale_website_trust(paths: Paths, wallet: Wallet) -> list[str]:
    """Take website trust off the issuer's CAs in every NSS database the wallet uses; the labels changed."""
    locations = sorted({r.location for e in wallet.entries() for r in e.stores if r.store == "nss"})
    if not locations:
        return []
    pinned: list[bytes] | None = None

    def pinned_fingerprints() -> set[str]:
        nonlocal pinned
        if pinned is None:
            pinned = _pinned_ders(paths)
        return {fingerprint(d) for d in pinned}

    changed: list[str] = []
    for location in locations:
        db = Path(location.removeprefix("sql:"))
        found = website_trusted_issuer_cas(db, pinned_fingerprints)
        if found is None:
            continue
        try:
            changed += _fix(db, found, pinned or [])
        except Exception as exc:  # noqa: BLE001 - never let this break status; the next run tries again
            log.warning("could not remove website trust in %s: %s", location, exc)
    return changed


def _fix(db: Path, found: WebsiteTrust, pinned: list[bytes]) -> list[str]:
    load = _certificate
    ours = [load(d) for d in found.ours]
    others = [load(d) for d in found.cas]
    verified = []
    for der in found.candidates:
        if der in pinned:
            verified.append(der)
            continue
        candidate = load(der)
        if any(_chain_to_pin(cert, others, [candidate]) for cert in ours):
            verified.append(der)
    if not verified:
        return []
    changed = _drop_website_trust(db, verified)
    if changed:
        log.info("removed website trust from %s in %s", ", ".join(changed), db)
    return changed


# --- Imported on first use ---------------------------------------------------------------------------
# The one place this module imports late: status runs ``drop_stale_website_trust`` on every call,
# and only a database that still has an older version's trust needs cryptography (signatures),
# ``app.enroll.est`` (requests) and the certutil backend.


def _certificate(der: bytes) -> Certificate:
    from cryptography import x509

    return x509.load_der_x509_certificate(der)


def _chain_to_pin(cert: Certificate, intermediates: list[Certificate], anchors: list[Certificate]) -> bool:
    from app.enroll.est import chain_to_pin

    return chain_to_pin(cert, intermediates, anchors)


def _drop_website_trust(db: Path, ders: list[bytes]) -> list[str]:
    from keystore.nss import NssStore

    return NssStore(db, label=str(db)).drop_website_trust(ders)
