"""Undo what older versions did: the issuer's root trusted for websites (``C,,``) in NSS databases.

A client-certificate wallet must never make a CA trusted for server authentication. Older
ZorgCert versions did, in every NSS database they installed into. ``status`` (which the CLI,
the app and the tray agent run) calls ``drop_stale_website_trust``: it reads each database's
SQLite file (no process) and only when a CA that looks like the issuer's is trusted for
websites does it check signatures and run ``certutil -M`` once. Which CAs: the pinned issuer CA
and the CAs that signed our certificates there; never another CA the user trusted.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from app.paths import Paths
from app.wallet import Wallet
from keystore.base import fingerprint
from keystore.nss_read import WebsiteTrust, website_trusted_issuer_cas


def _log() -> Any:
    import logging  # only when there is something to say: status starts faster without logging

    return logging.getLogger("zorgcert")
_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.S)


def _pinned_ders(paths: Paths) -> list[bytes]:
    """DER of the configured issuer CA file's certificates; [] when there is none (standard library only)."""
    from app import config
    from app.errors import ZorgCertError

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
            _log().warning("could not remove website trust in %s: %s", location, exc)
    return changed


def _fix(db: Path, found: WebsiteTrust, pinned: list[bytes]) -> list[str]:
    from cryptography import x509

    from app.est import chain_to_pin
    from keystore.nss import NssStore

    load = x509.load_der_x509_certificate
    ours = [load(d) for d in found.ours]
    others = [load(d) for d in found.cas]
    verified = []
    for der in found.candidates:
        if der in pinned:
            verified.append(der)
            continue
        candidate = load(der)
        if any(chain_to_pin(cert, others, [candidate]) for cert in ours):
            verified.append(der)
    if not verified:
        return []
    changed = NssStore(db, label=str(db)).drop_website_trust(verified)
    if changed:
        _log().info("removed website trust from %s in %s", ", ".join(changed), db)
    return changed
