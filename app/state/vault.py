"""Encrypted copies of this machine's private keys, so ZorgCert can renew and finish interrupted work.

Each key (with its certificate and chain) sits in ``vault/<id>.zcv``, sealed with
AES-256-GCM under a random 256-bit vault key that lives only in the operating
system's keyring (Secret Service, Windows Credential Manager, macOS Keychain). The
stores hold the working copy; the vault is what renewal authenticates with.

cryptography and keyring are imported in the one section at the end, "Imported on first
use": the desktop app and the tray agent load this module, and need neither until a key is
sealed or opened.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import secrets
import sys
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from app.errors import KeyringTimeout, KeyringUnavailable, NoSessionBus, StoreProblem, VaultKeyChanged
from app.state.files import write_atomic
from app.state.paths import Paths
from app.state.wallet import Wallet
from keystore.base import StoreError

if TYPE_CHECKING:
    from types import ModuleType

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from keystore.base import CertStore, StoreRef

SERVICE = "ZorgCert"
VAULT_KEY = "vault-key"
MAGIC = b"ZCV1"
PIN_MAGIC = b"ZCP1"  # a sealed PIN (``Vault.seal_pin``)
_ID = re.compile(r"[0-9a-f]{64}")
T = TypeVar("T")
log = logging.getLogger("zorgcert")


@dataclass(frozen=True, repr=False)
class Sealed:
    """A private key (PKCS#8 DER) with its certificate and chain (DER), as the vault keeps them."""

    key_der: bytes
    cert_der: bytes | None
    chain_der: tuple[bytes, ...]


KEYRING_TIMEOUT = 10.0  # seconds a keyring call may take; ZORGCERT_KEYRING_TIMEOUT overrides (tests)


def keyring_timeout() -> float:
    """How long ZorgCert waits for the OS keyring before it says the keyring does not answer."""
    try:
        return max(float(os.environ.get("ZORGCERT_KEYRING_TIMEOUT", "")), 0.1)
    except ValueError:
        return KEYRING_TIMEOUT


def bounded(call: Callable[[], T], timeout: float, what: str) -> T:
    """``call()`` in a helper thread; ``KeyringTimeout`` when it has not returned within ``timeout`` seconds.

    A Secret Service that never answers (a stuck daemon, an unlock prompt nobody can see) would
    otherwise hold ZorgCert for as long as D-Bus lets it (25 s per call, several calls): the
    caller gets a clear message instead, and the stuck call is left behind in a daemon thread.
    """
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=work, name=f"keyring-{what}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise KeyringTimeout(f"the keyring did not answer within {timeout:g} s ({what})", seconds=f"{timeout:g}")
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def keyring_secret(name: str, *, create: bool) -> str | None:
    """A secret from the OS keyring (made and stored on first use when ``create``); every call time-bounded."""
    return bounded(lambda: _keyring_secret(name, create=create), keyring_timeout(), "secret")


def _unusable(backend: object) -> bool:
    """keyring's stand-in when no backend is viable (the ``fail`` backend, or a priority of 0 or less)."""
    return type(backend).__module__.startswith("keyring.backends.fail") or getattr(backend, "priority", 1) <= 0


def _keyring_secret(name: str, *, create: bool) -> str | None:
    keyring, keyring_error = _keyring()
    try:
        backend = keyring.get_keyring()
        if _unusable(backend):
            # keyring picks its backend once per process: a Secret Service that was not up yet (the tray agent
            # at login, a daemon slow under load) would leave this process without a keyring for good; keyring
            # also keeps its list of viable backends once per process, which must be forgotten first
            _forget_viable_backends(keyring)
            keyring.core.init_backend()
            backend = keyring.get_keyring()
        if _unusable(backend):
            if sys.platform.startswith("linux") and not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
                raise NoSessionBus(f"no usable keyring backend ({type(backend).__name__}); no D-Bus session")
            raise KeyringUnavailable(f"no usable keyring backend ({type(backend).__name__})")
        value = keyring.get_password(SERVICE, name)
        if value is None and create:
            value = base64.b64encode(os.urandom(32)).decode()
            keyring.set_password(SERVICE, name, value)
            if keyring.get_password(SERVICE, name) != value:
                raise KeyringUnavailable("the keyring did not keep the secret")
        return value
    except KeyringUnavailable:
        raise
    except (keyring_error, Exception) as exc:  # noqa: BLE001 - secretstorage/dbus raise their own types
        raise KeyringUnavailable(f"{type(exc).__name__}") from None


def _forget_viable_backends(keyring: ModuleType) -> None:
    """Make keyring test every backend again (``keyring.backend.get_all_keyring`` remembers its first answer)."""
    viable: Any = getattr(getattr(keyring, "backend", None), "get_all_keyring", None)
    if hasattr(viable, "reset") and hasattr(viable, "saved_result"):
        viable.reset()


Rescue = Callable[[str], "Sealed | None"]


class _NoVaultKey(Exception):
    """The keyring holds no vault key (a new or wiped keyring) while the vault holds entries."""


class Vault:
    """The vault folder; ``rescue(ident)`` rebuilds an entry the keyring's vault key does not open (see ``get``)."""

    def __init__(self, folder: Path, *, rescue: Rescue | None = None):
        self.folder = folder
        self.rescue = rescue
        self._aead: AESGCM | None = None

    def _cipher(self, *, create: bool) -> AESGCM:
        if self._aead is None:
            secret = keyring_secret(VAULT_KEY, create=create)
            if secret is None:
                raise _NoVaultKey
            self._aead = _aesgcm(base64.b64decode(secret))
        return self._aead

    def open_key(self) -> bool:
        """Fetch the vault key from the OS keyring as ``get`` and ``put`` would (``doctor``): False when the keyring
        holds none (yet), True when it does; raises what they would when the keyring fails. Seals and opens nothing."""
        try:
            self._cipher(create=False)
        except _NoVaultKey:
            return False
        return True

    def _path(self, ident: str) -> Path:
        if not _ID.fullmatch(ident):
            raise ValueError("vault ids are SHA-256 hex")
        return self.folder / f"{ident}.zcv"

    def put(self, ident: str, sealed: Sealed) -> None:
        """Keep ``sealed`` under ``ident`` (a certificate fingerprint, or a key id while pending)."""
        body = json.dumps(
            {
                "key": base64.b64encode(sealed.key_der).decode(),
                "cert": base64.b64encode(sealed.cert_der).decode() if sealed.cert_der else None,
                "chain": [base64.b64encode(c).decode() for c in sealed.chain_der],
            }
        ).encode()
        nonce = os.urandom(12)
        blob = MAGIC + nonce + self._cipher(create=True).encrypt(nonce, body, MAGIC + ident.encode())
        write_atomic(self._path(ident), blob)

    def get(self, ident: str) -> Sealed | None:
        """What the vault keeps under ``ident``; None when it keeps nothing."""
        try:
            blob = self._path(ident).read_bytes()
        except FileNotFoundError:
            return None
        if not blob.startswith(MAGIC):
            raise StoreProblem(f"vault entry {ident[:12]} is damaged", store="vault")
        try:
            body = self._cipher(create=False).decrypt(blob[4:16], blob[16:], MAGIC + ident.encode())
        except (_invalid_tag(), _NoVaultKey):
            return self._rebuild(ident, blob)
        data = json.loads(body)
        return Sealed(
            base64.b64decode(data["key"]),
            base64.b64decode(data["cert"]) if data["cert"] else None,
            tuple(base64.b64decode(c) for c in data["chain"]),
        )

    def _rebuild(self, ident: str, blob: bytes) -> Sealed:
        """An entry sealed under another vault key (another or a reset keyring): rebuild it from a store.

        ``rescue`` reads the key back from a store that still holds it with this certificate
        (checked: same certificate, key matches). It is sealed again under this keyring's vault
        key (made now if the keyring has none); the old entry is kept beside it as
        ``<id>.zcv-other-key``, since it still opens with the old keyring if that comes back.
        Without a store that holds the key: ``VaultKeyChanged``, whose next step is the backup.
        """
        sealed = self.rescue(ident) if self.rescue is not None else None
        if sealed is None:
            raise VaultKeyChanged(f"vault entry {ident[:12]} does not open with this keyring's vault key "
                                  "and no store holds its key", store="vault")
        write_atomic(self.folder / f"{ident}.zcv-other-key", blob)
        self.put(ident, sealed)
        log.warning("vault entry %s did not open with this keyring's vault key; rebuilt from the store", ident[:12])
        return sealed

    def holds(self, ident: str) -> bool:
        """Is there an entry under ``ident`` (whether or not this keyring's vault key opens it)?"""
        return self._path(ident).exists()

    def move(self, old: str, new: str) -> None:
        """Rename an entry (pending key id -> certificate fingerprint) without decrypting."""
        sealed = self.get(old)
        if sealed is not None:
            self.put(new, sealed)
            self.delete(old)

    def delete(self, ident: str) -> None:
        self._path(ident).unlink(missing_ok=True)

    # --- a PIN while its request is not settled (issue 14: deferred issuance, recovery) ---------------
    # ``vault/<key id>.zcp``, sealed like a key (AES-256-GCM under the vault key, bound to its id): the one
    # place a PIN is ever kept, from just before the request is sent until the certificate arrives or the
    # request is abandoned; ``ids()`` never lists it.

    def _pin_path(self, ident: str) -> Path:
        return self._path(ident).with_suffix(".zcp")

    def seal_pin(self, ident: str, pin: str) -> None:
        """Keep ``pin`` sealed under the pending key id ``ident``, so the very same request can be repeated."""
        nonce = os.urandom(12)
        body = pin.encode("utf-8")
        blob = PIN_MAGIC + nonce + self._cipher(create=True).encrypt(nonce, body, PIN_MAGIC + ident.encode())
        write_atomic(self._pin_path(ident), blob)

    def open_pin(self, ident: str) -> str | None:
        """The PIN sealed under ``ident``; None when there is none or it does not open (another vault key)."""
        try:
            blob = self._pin_path(ident).read_bytes()
        except FileNotFoundError:
            return None
        if not blob.startswith(PIN_MAGIC):
            return None
        try:
            return self._cipher(create=False).decrypt(blob[4:16], blob[16:], PIN_MAGIC + ident.encode()).decode()
        except (_invalid_tag(), _NoVaultKey, UnicodeDecodeError):
            return None

    def wipe_pin(self, ident: str) -> None:
        """Overwrite and remove the sealed PIN of ``ident`` (nothing to do when there is none)."""
        path = self._pin_path(ident)
        try:
            size = path.stat().st_size
            with open(path, "r+b") as fh:
                fh.write(b"\0" * size)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError:
            pass
        path.unlink(missing_ok=True)

    def pin_ids(self) -> list[str]:
        """Key ids that have a sealed PIN (doctor: one without a pending request is wiped)."""
        return sorted(p.stem for p in self.folder.glob("*.zcp"))

    def ids(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.zcv"))


def keys_from_stores(paths: Paths) -> Rescue:
    """A ``Vault.rescue`` that reads a certificate's key back from the stores the wallet names for it.

    Each store that can hand out a key (``export_pfx``:
    NSS through a pipe, the file store from its folder) is asked in turn; its answer counts
    only when it holds exactly that certificate and a private key that matches it.
    """

    def rescue(ident: str) -> Sealed | None:
        entry = next((e for e in Wallet(paths.wallet_file).entries() if e.fingerprint == ident), None)
        for ref in entry.stores if entry is not None else []:
            try:
                export = getattr(_store_for(ref, paths), "export_pfx", None)
                if export is None:
                    continue
                password = secrets.token_urlsafe(24)
                pfx = export(ident, password)
            except (StoreError, StoreProblem, OSError, ValueError) as exc:
                log.warning("could not read the key of %s back from %s: %s", ident[:12], ref.location, exc)
                continue
            sealed = _sealed_from_pfx(pfx, password, ident) if pfx else None
            if sealed is not None:
                return sealed
        return None

    return rescue


# --- Imported on first use ---------------------------------------------------------------------------
# The one place this module imports late: the functions below import what they need when they
# are called. cryptography and keyring (with its D-Bus backends) cost more to import than all of
# ``zorgcert status``; the app and the agent import this module at start and need them only when
# a key is sealed or opened. ``app.state.stores`` imports this module, so its ``store_for`` can only be
# imported here, when a store is asked.


def _keyring() -> tuple[ModuleType, type[Exception]]:
    """``keyring`` and its ``KeyringError``."""
    import keyring
    from keyring.errors import KeyringError

    return keyring, KeyringError


def _aesgcm(key: bytes) -> AESGCM:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def _invalid_tag() -> type[Exception]:
    from cryptography.exceptions import InvalidTag

    return InvalidTag


def _sealed_from_pfx(pfx: bytes, password: str, ident: str) -> Sealed | None:
    """Key, certificate and chain (issuing CA first) of a PKCS#12, if it holds certificate ``ident`` with its key."""
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
        pkcs12,
    )

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pk12util writes BER; cryptography warns and parses it
            key, cert, extra = pkcs12.load_key_and_certificates(pfx, password.encode())
    except ValueError:
        return None
    if key is None or cert is None:
        return None
    cert_der = cert.public_bytes(Encoding.DER)
    spki = PublicFormat.SubjectPublicKeyInfo
    if hashlib.sha256(cert_der).hexdigest() != ident or \
            key.public_key().public_bytes(Encoding.DER, spki) != cert.public_key().public_bytes(Encoding.DER, spki):
        return None
    chain, current, rest = [], cert, list(extra)
    while True:  # issuing CA first, root last, as the vault keeps them
        parent = next((c for c in rest if c.subject == current.issuer), None)
        if parent is None or parent is current:
            break
        chain.append(parent.public_bytes(Encoding.DER))
        rest.remove(parent)
        if parent.subject == parent.issuer:
            break
        current = parent
    key_der = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    return Sealed(key_der, cert_der, tuple(chain))


def _store_for(ref: StoreRef, paths: Paths) -> CertStore:
    from app.state.stores import store_for

    return store_for(ref, paths)
