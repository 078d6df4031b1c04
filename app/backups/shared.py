"""What backup, restore and PFX export share: the certificate this machine holds, and a journaled write.

A backup or export records its target in the journal before its temporary file exists, so the
next run removes exactly the temporary files a kill left beside it (``app.state.files.remove_temps``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509

from app.enroll import identity
from app.errors import NothingToBackUp, NotInWallet
from app.state.files import remove_temps
from app.state.journal import Operation
from app.state.vault import Sealed
from app.state.wallet import Entry, Wallet
from keystore.base import fingerprint

if TYPE_CHECKING:
    from app.lifecycle.services import ZorgCert

log = logging.getLogger("zorgcert")

Progress = Callable[[str], None]


def quiet(_stage: str) -> None:
    """A progress report nobody listens to."""


def staging_file(out: Path) -> Path:
    """Where a backup is written and read back before it replaces ``out``: a name ``remove_temps(out)`` knows."""
    return out.parent / f".{out.name}.checking.tmp"


@dataclass(frozen=True, repr=False)
class Held:
    """A wallet entry with its key, certificate and chain from the vault (never shown: the key is in it)."""

    entry: Entry
    sealed: Sealed
    key: Any  # a private key of cryptography's (RSA or EC)
    cert: x509.Certificate
    chain: list[x509.Certificate]


def held(core: ZorgCert, wallet: Wallet, user_number: str) -> Held:
    """The wallet entry with its key, certificate and chain from the vault; refused when unusable."""
    entry = wallet.get(user_number)
    if entry is None:
        raise NotInWallet("unknown", user_number=user_number)
    if entry.revoked:
        raise NothingToBackUp("revoked", "the certificate is revoked", user_number=user_number)
    if core.clock.now() >= entry.not_after_dt:
        raise NothingToBackUp("expired", "the certificate has expired", user_number=user_number)
    sealed = core.vault.get(entry.fingerprint)
    if sealed is None or sealed.cert_der is None:
        raise NothingToBackUp("no-key", "the vault has no key for it", user_number=user_number)
    key = identity.load_key(sealed.key_der)
    cert = x509.load_der_x509_certificate(sealed.cert_der)
    if cert.public_key() != key.public_key() or fingerprint(sealed.cert_der) != entry.fingerprint:
        raise NothingToBackUp("mismatch", "the vault's key does not belong to the certificate",
                              user_number=user_number)
    chain = [x509.load_der_x509_certificate(c) for c in sealed.chain_der]
    return Held(entry, sealed, key, cert, chain)


def fresh_wallet(core: ZorgCert) -> Wallet:
    """The wallet as it is on disk now (another ZorgCert may have changed it); the core sees it too."""
    core.wallet = Wallet(core.paths.wallet_file)
    return core.wallet


def clean_write(core: ZorgCert, op: Operation) -> str:
    """A backup or export a kill interrupted: remove its temporary files, close its journal entry."""
    removed = []
    if op.target:
        target = Path(op.target)
        removed = remove_temps(target) + remove_temps(staging_file(target))  # and write_atomic's own beside it
    core.journal.finish(op)
    log.info("interrupted %s of %s: removed %d temporary file(s) beside %s", op.kind, op.user_number,
             len(removed), op.target)
    return "cleaned"


def clean_leftovers(core: ZorgCert) -> None:
    """Under the lock: the temporary files of a killed backup or export (other interrupted work waits for
    ``status``, which may need the issuer)."""
    for op in core.journal.pending():
        if op.kind in ("backup", "export"):
            clean_write(core, op)


class JournaledWrite:
    """Journal a backup's or export's target while its temporary file may exist (see ``clean_write``)."""

    def __init__(self, core: ZorgCert, kind: str, user_number: str, out: Path):
        self.core = core
        self.op = Operation(kind=kind, user_number=user_number, key_id="", stores=[], stage="writing",
                            target=str(out))

    def __enter__(self) -> Operation:
        self.core.journal.save(self.op)
        return self.op

    def __exit__(self, *exc: object) -> None:
        self.core.journal.finish(self.op)  # a failed write removed its own temporary file
