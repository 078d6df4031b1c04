"""PFX export: the certificate with its key as a PKCS#12 for administration software or a browser."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

from app import policy
from app.backups.fileinfo import check_target
from app.backups.passphrase import holder_inputs, require_strong
from app.backups.shared import JournaledWrite, clean_leftovers, held
from app.errors import BackupFileUnusable, BackupNotVerified, NotInWallet, UsageError
from app.state.files import write_atomic
from app.state.lock import InstanceLock
from app.state.wallet import Wallet
from backup import pfx
from keystore.base import fingerprint

if TYPE_CHECKING:
    from app.lifecycle.services import ZorgCert

log = logging.getLogger("zorgcert")


def export_pfx(core: ZorgCert, user_number: str, out: Path, passphrase: str, profile: str = "modern", *,
               overwrite: bool = False) -> Path:
    """Write the certificate with its key as a PKCS#12 for administration software or a browser.

    An existing ``out`` is replaced only with ``overwrite``; else ``FileExists``.
    """
    if profile not in pfx.PROFILES:
        raise UsageError(f"--profile must be one of {', '.join(pfx.PROFILES)}")
    user_number = policy.normalise_user_number(user_number)
    out = Path(out).expanduser().absolute()
    check_target(out, overwrite)
    wallet = Wallet(core.paths.wallet_file)
    entry = wallet.get(user_number)
    if entry is None:
        raise NotInWallet("unknown", user_number=user_number)
    require_strong(passphrase, user_inputs=holder_inputs(entry))
    mine = held(core, wallet, user_number)
    data = pfx.to_pfx(mine.key, mine.cert, mine.chain, passphrase, profile=profile,
                      friendly_name=f"ZorgCert {user_number}")
    key, cert, _extra = pkcs12.load_key_and_certificates(data, passphrase.encode("utf-8"))
    if cert is None or key is None or fingerprint(cert.public_bytes(Encoding.DER)) != entry.fingerprint:
        raise BackupNotVerified("the PFX did not read back")
    with InstanceLock(core.paths.lock_file):  # recovery (under the lock) never meets a live export's temp file
        clean_leftovers(core)
        check_target(out, overwrite)
        with JournaledWrite(core, "export", user_number, out):
            try:
                write_atomic(out, data)
            except OSError as exc:
                raise BackupFileUnusable(exc.strerror or type(exc).__name__, path=str(out)) from None
    log.info("exported %s as a %s PFX to %s", user_number, profile, out)
    return out
