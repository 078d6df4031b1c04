"""'Make a support file': one zip with logs, versions, the store listing and the checks, every secret removed.

What goes in is text the app wrote or gathered, passed through ``redact`` first: PEM
blocks other than certificates, long base64 or hex runs (key bytes, PKCS#12), values
named like a PIN, password or passphrase, and free-standing 5-8 digit numbers (a PIN
typed into the wrong place). The vault, the keyring and the stores' key files are never
read for it. User numbers (14 digits), fingerprints and serials stay: Support needs them.
"""

from __future__ import annotations

import io
import json
import platform
import re
import sys
import zipfile
from collections.abc import Callable
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__
from app.errors import ZorgCertError
from app.state.files import read_json, write_atomic
from app.state.paths import Paths
from keystore.base import StoreError

if TYPE_CHECKING:
    from app.lifecycle.services import ZorgCert
    from app.troubleshoot.doctor import Check

# Lazy imports: ``redact`` is used by ``app.explain`` on every error, so this module stays light; the
# checks (``app.troubleshoot.doctor``) and the stores (``app.state.stores``, ``keystore.nss``) load only to make
# the file.

REMOVED = "[verwijderd]"

_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----.*?(?:-----END \1-----|\Z)", re.S)
_NAMED_SECRET = re.compile(
    r"""(?ix)
    (["']?\b(?:pin|pincode|pin_code|passphrase|password|passwd|wachtwoord|wachtzin|secret|token|
        authorization|p12_password|pfx_password)\b["']?
     \s*[:=]\s*)
    (?:"[^"]*"|'[^']*'|(?:Basic|Bearer)\s+\S+|\S+)
    """
)
_LONG_BASE64 = re.compile(r"[A-Za-z0-9+/_-]{80,}={0,2}")
_LONG_HEX = re.compile(r"\b[0-9a-fA-F]{100,}\b")
_PIN_LIKE = re.compile(r"(?<![\w:./-])\d{5,8}(?![\w/-])")

MAX_LOG_BYTES = 2_000_000  # per log file: the newest part


class SupportFileNotSaved(ZorgCertError):
    key = "error.support_file"
    exit_code = 5


def redact(text: str, known: tuple[str, ...] = ()) -> str:
    """``text`` without anything that looks like a PIN, password, passphrase or key material."""
    for secret in known:
        if secret:
            text = text.replace(secret, REMOVED)

    def pem(match: re.Match[str]) -> str:
        return match.group(0) if match.group(1) == "CERTIFICATE" else f"[{match.group(1).lower()} {REMOVED}]"

    text = _PEM_BLOCK.sub(pem, text)
    text = _NAMED_SECRET.sub(lambda m: m.group(1) + REMOVED, text)
    text = _LONG_HEX.sub(REMOVED, text)
    # a long run with many slashes is a file path, not base64 (where '/' is one character in 64)
    text = _LONG_BASE64.sub(lambda m: m.group(0) if m.group(0).count("/") * 20 > len(m.group(0)) else REMOVED, text)
    return _PIN_LIKE.sub(REMOVED, text)


def _versions() -> str:
    lines = [f"zorgcert {__version__}", f"python {sys.version.split()[0]} ({sys.executable})",
             f"platform {platform.platform()}", f"frozen {bool(getattr(sys, 'frozen', False))}"]
    for dist in ("cryptography", "requests", "keyring", "PySide6-Essentials", "shiboken6", "platformdirs"):
        try:
            lines.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{dist} -")
    return "\n".join(lines) + "\n"


def _store_listing(core: ZorgCert) -> str:
    """Every ZorgCert entry in every store this machine uses: nickname and fingerprint, no keys."""
    from app.state.stores import machine_stores, store_for  # lazy: see the top of the module

    stores = machine_stores()
    for entry in core.wallet.entries():
        stores += [store_for(ref, core.paths) for ref in entry.stores]
    lines, seen = [], set()
    for store in stores:
        if (store.name, store.location) in seen:
            continue
        seen.add((store.name, store.location))
        avail = store.available()
        lines.append(f"{store.name} {store.location}: {'ok' if avail.ok else 'unavailable'} {avail.detail}")
        if not avail.ok:
            continue
        try:
            for ref in store.list_ours():
                lines.append(f"    {ref.nickname}  {ref.fingerprint}")
        except StoreError as exc:
            lines.append(f"    listing failed: {exc.detail}")
    return "\n".join(lines) + "\n"


def _journal(core: ZorgCert) -> str:
    return "\n".join(f"{op.kind} {op.user_number} stage={op.stage} id={op.id}" for op in core.journal.pending()) + "\n"


def _logs(paths: Paths) -> list[tuple[str, str]]:
    out = []
    if paths.log_dir.is_dir():
        for log in sorted(paths.log_dir.glob("*.log*")):
            if log.is_file():
                data = log.read_bytes()[-MAX_LOG_BYTES:]
                out.append((f"logs/{log.name}", data.decode("utf-8", errors="replace")))
    return out


def _safe(step: Callable[[], str]) -> str:
    """A part that failed says so in the bundle instead of failing the whole file."""
    try:
        return step()
    except Exception as exc:  # noqa: BLE001 - a support file must come out even when parts break
        return f"could not gather this part: {type(exc).__name__}\n"


def make_support_file(
    core: ZorgCert,
    out: Path,
    *,
    now: datetime,
    checks: list[Check] | None = None,
    lang: str = "nl",
    known_secrets: tuple[str, ...] = (),
) -> list[str]:
    """Write the zip to ``out`` (atomically); the names of its members.

    ``checks`` are ``app.troubleshoot.doctor.run_checks`` results (run here when not given).
    """
    if checks is None:
        from app.troubleshoot.doctor import run_checks  # lazy: see the top of the module

        checks = run_checks(core.paths, lang)
    parts: list[tuple[str, str]] = [
        ("README.txt", _readme(now)),
        ("versions.txt", _safe(_versions)),
        ("status.json", _safe(lambda: json.dumps([r.as_dict() for r in core.status()], indent=2, ensure_ascii=False,
                                                 default=str))),
        ("stores.txt", _safe(lambda: _store_listing(core))),
        ("checks.json", json.dumps([c.as_dict() for c in checks], indent=2, ensure_ascii=False, default=str)),
        ("config.json", json.dumps(read_json(core.paths.config_file, {}), indent=2)),
        ("journal.txt", _safe(lambda: _journal(core))),
        *_logs(core.paths),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts:
            zf.writestr(name, redact(text, known_secrets))
    try:
        write_atomic(out, buffer.getvalue(), mode=0o600)
    except OSError as exc:
        raise SupportFileNotSaved(exc.strerror or type(exc).__name__, path=str(out)) from None
    return [name for name, _ in parts]


def _readme(now: datetime) -> str:
    return (
        f"ZorgCert supportbestand / support file, {now.isoformat(timespec='seconds')}\n\n"
        "Dit bestand bevat logboeken, versies, de lijst van certificaten in de certificaatopslag en de\n"
        "uitkomst van de controles. Pincodes, wachtwoorden en sleutels zijn eruit verwijderd.\n"
        "This file holds logs, versions, the certificate store listing and the check results.\n"
        "PINs, passwords and keys have been removed.\n"
    )


def default_name(now: datetime) -> str:
    """A file name for the support file: ``zorgcert-support-20261129-1430.zip``."""
    return f"zorgcert-support-{now.strftime('%Y%m%d-%H%M')}.zip"
