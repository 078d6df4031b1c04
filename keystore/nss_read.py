"""A quick, read-only look into an NSS ``sql:`` database, for ``zorgcert status``.

``keystore.nss`` lists a database through certutil, at the cost of one process per
certificate. Status runs on every CLI call and every tick of the tray agent, so it reads
the two SQLite files instead: NSS keeps objects in tables whose columns are named after
PKCS#11 attributes ("a" + hex type). Certificates' class, label, value and id, and keys'
class and id are stored in the clear, so this needs neither certutil nor the database
password, and it takes no lock NSS would notice. Anything unexpected returns None and
the caller asks certutil. Standard library only: importing this costs nothing.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from keystore.base import NICKNAME_PREFIX, fingerprint

_CKO_CERTIFICATE, _CKO_PRIVATE_KEY = 1, 3
_SDB_NULL = b"\xa5\x00\x5a"  # how NSS's sdb stores an empty attribute value


def _rows(db: Path, query: str) -> list[tuple[bytes | None, ...]]:
    connection = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=1.0)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def _ulong(value: bytes | None) -> int | None:
    return int.from_bytes(value, "big") if isinstance(value, bytes) and len(value) in (4, 8) else None


def _blob(value: bytes | None) -> bytes | None:
    return bytes(value) if isinstance(value, bytes) and value != _SDB_NULL else None


def held_fingerprints(db_dir: Path) -> set[str] | None:
    """Fingerprints of the ZorgCert certificates ``db_dir`` holds with their private keys; None if unreadable.

    The same answer as ``NssStore(db_dir).list_ours()``: a certificate whose label starts
    with ``ZorgCert`` and a private key with the certificate's CKA_ID (NSS gives both the
    id it derives from the public key, which is how NSS itself pairs them).
    """
    cert_db, key_db = Path(db_dir) / "cert9.db", Path(db_dir) / "key4.db"
    if not cert_db.is_file():
        return set()
    try:
        certs = _rows(cert_db, "SELECT a0, a3, a11, a102 FROM nssPublic")
        keys = _rows(key_db, "SELECT a0, a102 FROM nssPrivate") if key_db.is_file() else []
    except (sqlite3.Error, OSError, ValueError):
        return None
    key_ids = {kid for cls, raw in keys if _ulong(cls) == _CKO_PRIVATE_KEY and (kid := _blob(raw)) is not None}
    held = set()
    for cls, label, value, cka_id in certs:
        if _ulong(cls) != _CKO_CERTIFICATE:
            continue
        der, name, kid = _blob(value), _blob(label), _blob(cka_id)
        if der and name and kid in key_ids and name.decode("utf-8", "replace").startswith(NICKNAME_PREFIX):
            held.add(fingerprint(der))
    return held


_CKO_NSS_TRUST = 0xCE534353
_CKT_NSS_TRUSTED_DELEGATOR = 0xCE534352  # "C" (server auth) or "T" (client auth) in certutil's SSL column


@dataclass(frozen=True)
class WebsiteTrust:
    """What a database holds that may need website trust taken away (see ``website_trusted_issuer_cas``)."""

    candidates: list[bytes]  # CA certificates trusted for websites whose names put them above our certificates
    ours: list[bytes]  # our (ZorgCert-labelled) certificates
    cas: list[bytes]  # every other certificate, for building chains


def website_trusted_issuer_cas(db_dir: Path, pinned: Callable[[], set[str]]) -> WebsiteTrust | None:
    """Certificates trusted for websites that look like the issuer's CA; None when there are none (or unreadable).

    "Look like": the fingerprint is in ``pinned()`` (asked only when something is trusted at
    all), or the subject is the issuer name of one of our certificates or of a CA above one.
    Names alone decide nothing: the caller checks signatures before it changes anything.
    This reads the SQLite file only (no certutil): cheap enough for status.
    """
    cert_db = Path(db_dir) / "cert9.db"
    if not cert_db.is_file():
        return None
    try:
        rows = _rows(cert_db, "SELECT a0, a3, a11, a81, a101, ace536358, ace536359, ace5363b4 FROM nssPublic")
    except (sqlite3.Error, OSError, ValueError):
        return None
    trusted_sha1 = set()
    certs: list[tuple[str, bytes, bytes | None, bytes | None]] = []  # label, der, issuer, subject
    for cls, label, value, issuer, subject, server, client, sha1 in rows:
        kind = _ulong(cls)
        if kind == _CKO_NSS_TRUST and _CKT_NSS_TRUSTED_DELEGATOR in (_ulong(server), _ulong(client)):
            if (digest := _blob(sha1)) is not None:
                trusted_sha1.add(digest)
        elif kind == _CKO_CERTIFICATE and (der := _blob(value)):
            name = (_blob(label) or b"").decode("utf-8", "replace")
            certs.append((name, der, _blob(issuer), _blob(subject)))
    if not trusted_sha1:
        return None
    ours = [c for c in certs if c[0].startswith(NICKNAME_PREFIX) and c[2] != c[3]]
    above = {c[2] for c in ours}
    above |= {c[2] for c in certs if c[3] in above}  # one more level: the root above an issuing CA
    trusted = [(der, subject) for _, der, _, subject in certs
               if hashlib.sha1(der).digest() in trusted_sha1]  # NSS's trust key
    pinned_fps = pinned() if trusted else set()
    candidates = [der for der, subject in trusted if fingerprint(der) in pinned_fps or subject in above]
    if not candidates:
        return None
    return WebsiteTrust(candidates, [c[1] for c in ours], [c[1] for c in certs if c not in ours])
