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

import sqlite3
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
