"""Operations under way, so a crash (kill -9, power cut) is finished or rolled back on the next run.

An install or renewal moves through stages; each is written (atomically) before the
work it allows starts:

``key-made``   a new key is in the vault; the issuer may or may not have answered.
               Next run: ask the issuer for a certificate for that key; none -> roll back.
``issued``     the new certificate is known; from here on only roll forward.
``recorded``   the wallet has the new entry; what is left is removing the old one.
``deferred``   the issuer accepted the request and will answer later (RFC 7030 §4.2.3: HTTP 202 with
               Retry-After). ``next_attempt`` says when the very same request (``csr``, and the PIN
               sealed in the vault under the key id) is sent again; ``retry_after`` what the issuer
               asked for, in seconds. Next run, once due: send it again (``app.lifecycle.deferred``).

From ``key-made`` on an install keeps its PIN sealed in the vault (``Vault.seal_pin``), never here: a
plain EST server has no way to ask whether a certificate was made, so recovery repeats the request.
It is wiped once the certificate is known (``issued``) or the request is abandoned (rolled back).

The old certificate is removed only after the new one is installed, read back and
recorded, so there is never a moment with neither.

Each entry remembers its issuer (URL and the SHA-256 of the pinned CA certificate): a
``key-made`` entry is asked about only at that issuer, and rolled back (its key deleted)
only on that issuer's definite "not found" (see ``app.lifecycle.services.ZorgCert._recover``).

A restore is journaled too (``kind="restore"``, see ``app.backups``): ``restoring`` is written
before the vault or any store is touched, ``recorded`` once the wallet has it; the next run
finishes it (never rolls back what reached the vault). A backup or PFX export journals its
target (``kind="backup"|"export"``, stage ``writing``) before its temporary file is made, so the
next run removes exactly the temporary files a kill left beside that target.

An entry that cannot be read (empty, not JSON, the wrong shape) is moved aside as
``<id>.json.bad-<time>`` (``app.state.files.quarantine``); the keys it named stay in the vault.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from app.state.files import DamagedFile, read_json, write_json

_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.S)


def ca_fingerprints(ca_file: Path) -> list[str]:
    """SHA-256 (hex) of each certificate's DER in a PEM file; the first is the pin a journal entry records."""
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
    stores: list[str]  # store specs to install into (see app.state.stores)
    stage: str = "key-made"
    id: str = field(default_factory=lambda: _new_id())
    cert_pem: str | None = None  # the issued certificate (public)
    chain_pem: list[str] = field(default_factory=list)
    old_fingerprint: str | None = None
    entry: dict[str, Any] = field(default_factory=dict)  # facts for the wallet entry
    issuer_url: str | None = None  # the issuer asked; None in entries written before ZorgCert recorded it
    issuer_ca: str | None = None  # SHA-256 of the pinned issuer CA certificate (DER), hex
    target: str | None = None  # backup/export: the file being written (its temporary files are removed)
    csr: str | None = None  # install/renew: the request sent (base64 DER, public), to send it again unchanged
    next_attempt: str | None = None  # deferred: when to repeat the request (ISO 8601, UTC)
    retry_after: int | None = None  # deferred: the wait the issuer asked for, in seconds (clamped)


UNANSWERED = ("key-made", "deferred")  # stages without a certificate yet
KINDS = ("install", "renew", "restore", "backup", "export")
STAGES = ("key-made", "deferred", "issued", "recorded", "restoring", "writing")  # restore: restoring, recorded


def _operation(data: object) -> Operation:
    """The operation in a journal file's JSON; ``DamagedFile`` when it is not one."""
    if not isinstance(data, dict):
        raise DamagedFile("not a journal entry")
    known = {f.name for f in fields(Operation)}
    op = Operation(**{k: v for k, v in data.items() if k in known})
    texts = (op.kind, op.user_number, op.key_id, op.stage, op.id)
    # kinds and stages are not checked against today's lists: a newer ZorgCert's entry is kept, not set aside
    if not all(isinstance(v, str) and v for v in texts[:2] + texts[3:]) or not isinstance(op.key_id, str):
        raise DamagedFile("a journal entry of the wrong shape")
    if not isinstance(op.stores, list) or not all(isinstance(v, str) for v in op.stores):
        raise DamagedFile("a journal entry with bad stores")
    if not isinstance(op.entry, dict) or not isinstance(op.chain_pem, list):
        raise DamagedFile("a journal entry of the wrong shape")
    if op.stage not in UNANSWERED and op.kind in ("install", "renew", "restore") and not isinstance(op.cert_pem, str):
        raise DamagedFile("a journal entry without its certificate")
    return op


def _new_id() -> str:
    """32 random hex digits, the shape ``uuid4().hex`` had (``uuid`` costs the app's start 3 ms to import)."""
    return os.urandom(16).hex()


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
        """The operations a crash left (a damaged entry is moved aside, see the module docstring)."""
        ops: list[Operation] = []
        try:
            paths = sorted(self.folder.glob("*.json"))
        except OSError:
            paths = []
        for path in paths:
            found: list[Operation] = []

            def valid(data: object, found: list[Operation] = found) -> None:
                found.append(_operation(data))

            read_json(path, None, valid=valid, what=f"journal/{path.name}")
            ops += found
        return ops
