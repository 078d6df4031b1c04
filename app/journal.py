"""Operations under way, so a crash (kill -9, power cut) is finished or rolled back on the next run.

An install or renewal moves through stages; each is written (atomically) before the
work it allows starts:

``key-made``   a new key is in the vault; the issuer may or may not have answered.
               Next run: ask the issuer for a certificate for that key; none -> roll back.
``issued``     the new certificate is known; from here on only roll forward.
``recorded``   the wallet has the new entry; what is left is removing the old one.

The old certificate is removed only after the new one is installed, read back and
recorded, so there is never a moment with neither.

Each entry remembers its issuer (URL and the SHA-256 of the pinned CA certificate): a
``key-made`` entry is asked about only at that issuer, and rolled back (its key deleted)
only on that issuer's definite "not found" (see ``app.services.ZorgCert._recover``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from app.files import read_json, write_json

_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.S)


def ca_fingerprints(ca_file: Path) -> list[str]:
    """SHA-256 (hex) of each certificate's DER in a PEM file; the first is the pin a journal entry records."""
    import base64
    import binascii

    try:
        data = Path(ca_file).read_bytes()
    except OSError:
        return []
    out = []
    for block in _PEM.findall(data):
        try:
            out.append(hashlib.sha256(base64.b64decode(b"".join(block.split()), validate=True)).hexdigest())
        except (binascii.Error, ValueError):
            continue
    return out


@dataclass
class Operation:
    kind: str  # install | renew
    user_number: str
    key_id: str  # SHA-256 of the new public key: the vault id while pending, the issuer's by-key lookup
    stores: list[str]  # store specs to install into (see app.stores)
    stage: str = "key-made"
    id: str = field(default_factory=lambda: _new_id())
    cert_pem: str | None = None  # the issued certificate (public)
    chain_pem: list[str] = field(default_factory=list)
    old_fingerprint: str | None = None
    entry: dict[str, Any] = field(default_factory=dict)  # facts for the wallet entry
    issuer_url: str | None = None  # the issuer asked; None in entries written before ZorgCert recorded it
    issuer_ca: str | None = None  # SHA-256 of the pinned issuer CA certificate (DER), hex


def _new_id() -> str:
    import uuid  # only when work starts: status never makes an operation

    return uuid.uuid4().hex


class Journal:
    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, op: Operation) -> Path:
        return self.folder / f"{op.id}.json"

    def save(self, op: Operation) -> None:
        write_json(self._path(op), asdict(op))

    def finish(self, op: Operation) -> None:
        self._path(op).unlink(missing_ok=True)

    def pending(self) -> list[Operation]:
        ops = []
        for path in sorted(self.folder.glob("*.json")):
            data = read_json(path, None)
            if data:
                known = {f.name for f in fields(Operation)}
                ops.append(Operation(**{k: v for k, v in data.items() if k in known}))
        return ops
