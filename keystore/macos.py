"""macOS login keychain backend, through ``/usr/bin/security`` only (run by ``keystore._run``).

Status, plainly: this module has NOT run on a Mac. Its logic is tested on Linux against a fake
``security`` whose output imitates the real tool's (``tests/keystore/test_macos_boundary.py``).
What follows is read from Apple's published ``security`` and PKCS#12 sources, not observed:

Passing the PKCS#12 without its password in argv. ``security import`` takes the passphrase
only as ``-P <text>`` (or from a GUI prompt, useless here); it has no stdin or file option.
So the identity's own PKCS#12 password never reaches ``security``: this module opens the
PKCS#12 in memory (``cryptography`` loads on macOS) and wraps key and certificates again with a
fresh one-time *transport* password. The wrapped PKCS#12 goes through a pipe
(``{secret:p12}``); argv carries only the transport password, which unlocks nothing but the
bytes in that pipe, readable by ``security`` alone, and is never used again.
An *empty* transport password (``-P ""``) was the first idea and does not work:
``cryptography`` refuses to encrypt with an empty password, and its unencrypted form puts the
key in a plain keyBag, which Apple's PKCS#12 decoder skips ("FIXME - should be able to parse
and handle this") - the certificate would arrive without its key.
The wrapping uses the legacy algorithms (pbeWithSHAAnd3-KeyTripleDES-CBC, HMAC-SHA1), because
Apple's decoder accepts only PKCS#12 PBE algorithms; with a random one-time password that is
no weakness here.

``security import`` reads its input with ``fstat`` (for the size) and one ``read``; on macOS a
pipe's ``st_size`` is what is buffered at that moment. ``_run.run`` fills pipes from a thread
started after the process, which in practice wins (``security`` opens the keychain first), but
it is a race: ``_run`` should write small secrets into the pipe before starting the process.
Payloads above one pipe buffer (16 KiB) are refused here, since they can never arrive whole.

Names: the PKCS#12 friendlyName (``identity.nickname``) becomes the *private key's* label;
the certificate's label is derived from its subject and cannot be set by ``security import``.
A renewal that keeps its key imports a key the keychain already has, which keeps its old label;
so the label marks an entry as ours and gives the user number, and each certificate's nickname
is derived from it with ``nickname_for`` (equal to ``identity.nickname``).
``security find-certificate -c`` matches the subject's common name, not a label, so it cannot
find ZorgCert entries. This backend therefore joins three read-only listings:
``find-certificate -a -Z -p`` (certificates), ``find-identity -p ssl-client`` (which of them
have a private key; no ``-v``: our private CA is not trusted, and ``-v`` hides such identities)
and ``dump-keychain`` without ``-d`` (attributes only: each private key's label and the SHA-1
of its public key, the same hash Apple stores on the certificate as ``hpky``).

Only a Mac can prove: the output formats parsed here, that the key label is the friendlyName,
that ``-x`` (non-extractable key) is accepted, which prompts Safari/Chrome show on first use of
the key (its access list names only ``security``), and that the fstat race above is won.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets as random_secrets
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from keystore import _run
from keystore.base import NICKNAME_PREFIX, Availability, Identity, StoreError, StoreRef, fingerprint, nickname_for
from keystore.der import pfx_shape_ok

SECURITY = "/usr/bin/security"
PIPE_FILL_LIMIT = 16 * 1024  # a macOS pipe buffer: more cannot be in the pipe when security fstats it
PRIVATE_KEY_CLASS = 0x00000010  # CSSM_DL_DB_RECORD_PRIVATE_KEY
KEY_PRINT_NAME = 0x00000001  # the key's label as shown in Keychain Access (PKCS#12 friendlyName)
KEY_LABEL = 0x00000006  # the SHA-1 of the public key, equal to the certificate's "hpky"

Runner = Callable[..., subprocess.CompletedProcess[bytes]]

_IDENTITY_LINE = re.compile(r"^\s*\d+\)\s+([0-9A-Fa-f]{40})\s+\"")
_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----\s*(.+?)\s*-----END CERTIFICATE-----", re.S)
_ATTRIBUTE_LINE = re.compile(r"^\s+(0x[0-9A-Fa-f]{8}|\"[^\"]{4}\")\s*<(\w+)>=(.*)$")


def login_keychain() -> Path:
    """The user's login keychain file."""
    return Path.home() / "Library" / "Keychains" / "login.keychain-db"


@dataclass(frozen=True)
class _KeychainEntry:
    der: bytes
    has_key: bool  # listed by find-identity
    key_label: str | None  # the label of the private key paired with it, if any

    @property
    def sha1(self) -> str:
        return hashlib.sha1(self.der).hexdigest().upper()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.der)

    @property
    def nickname(self) -> str | None:
        """This certificate's ZorgCert nickname, if its key is labelled as ours.

        The label belongs to the key, and one key can serve two certificates (a renewal that
        kept its key: Apple keeps the existing key and its label). So the label only says
        "ours" and gives the user number; the nickname is derived per certificate.
        """
        label = self.key_label
        if label is None or not label.startswith(NICKNAME_PREFIX):
            return None
        parts = label.split(" ")
        if len(parts) == 3 and parts[0] == NICKNAME_PREFIX:
            return nickname_for(parts[1], self.der)
        return label


class MacKeychainStore:
    """One macOS keychain (by default the login keychain), changed through ``security``."""

    name = "macos"

    def __init__(self, keychain: Path | None = None, *, runner: Runner | None = None):
        self.keychain = keychain if keychain is not None else login_keychain()
        self.location = str(self.keychain)
        self._runner = runner

    # -- CertStore ---------------------------------------------------------------------------
    def available(self) -> Availability:
        """Usable on macOS with /usr/bin/security and an existing keychain file."""
        try:
            if sys.platform != "darwin":
                return Availability(False, "only on macOS", None)
            if not Path(SECURITY).exists():
                return Availability(False, f"{SECURITY} is missing",
                                    "Reinstall macOS; the security tool is part of the system.")
            if not self.keychain.exists():
                return Availability(False, f"no keychain at {self.keychain}",
                                    "Open Keychain Access once so that macOS creates the login keychain.")
        except OSError as exc:
            return Availability(False, f"cannot check the keychain: {exc}", None)
        return Availability(True, f"macOS keychain {self.keychain}")

    def install(self, identity: Identity) -> StoreRef:
        """Import certificate, key and chain under the nickname, then read it back."""
        nickname = identity.nickname
        ref = self._ref(nickname, identity.fingerprint)
        present = self._entry(identity.fingerprint)
        if present is not None and present.has_key and present.nickname == nickname:
            return ref
        wrapped, transport = self._rewrap(identity)
        if present is not None:  # there, but without its key or under another name: start clean
            self._delete(present, self._inventory())
        self._security(["import", "{secret:p12}", "-k", self.location, "-t", "agg", "-f", "pkcs12",
                        "-P", transport, "-x"],
                       # "transport" is not referenced in argv: it is passed so that _run scrubs it from errors
                       secrets={"p12": wrapped, "transport": transport.encode()})
        try:
            self._read_back(identity)
        except StoreError:
            self._undo(identity)
            raise
        return ref

    def find(self, fingerprint_: str) -> StoreRef | None:
        """The entry of this certificate if the keychain pairs it with a private key."""
        entry = self._entry(fingerprint_.lower())
        if entry is None or not entry.has_key:
            return None
        return self._ref(entry.nickname or entry.key_label or "", entry.fingerprint)

    def remove(self, ref: StoreRef) -> None:
        """``delete-identity -Z SHA1`` (certificate and key); fine if already gone."""
        entries = self._inventory()
        target = next((e for e in entries if e.fingerprint == ref.fingerprint.lower()), None)
        if target is None:
            return
        self._delete(target, entries)
        if self._entry(target.fingerprint) is not None:
            raise StoreError(self.name, "read-back",
                             f"{ref.nickname or target.sha1} is still in {self.location} after deleting it")

    def list_ours(self) -> list[StoreRef]:
        """Every certificate whose private key is labelled ``ZorgCert ...``."""
        return [self._ref(entry.nickname, entry.fingerprint) for entry in self._inventory()
                if entry.nickname is not None]

    # -- steps -------------------------------------------------------------------------------
    def _rewrap(self, identity: Identity) -> tuple[bytes, str]:
        """The identity as a legacy PKCS#12 under a fresh transport password, named by the nickname."""
        try:
            key, cert, chain = pkcs12.load_key_and_certificates(identity.pfx, identity.pfx_password.encode())
        except ValueError:
            # cryptography raises the same ValueError for a wrong password and for damaged data
            if not pfx_shape_ok(identity.pfx):
                raise StoreError(self.name, "corrupt", "the data handed to the keychain is not a (complete) "
                                 "PKCS#12 file", _FIX_DAMAGED) from None
            raise StoreError(self.name, "wrong-password", "the PKCS#12 could not be opened with its password",
                             _FIX_DAMAGED) from None
        if key is None or cert is None or cert.public_bytes(serialization.Encoding.DER) != identity.cert_der:
            raise StoreError(self.name, "corrupt",
                             f"the PKCS#12 holds no certificate {identity.sha1_thumbprint} with its private key",
                             _FIX_DAMAGED)
        transport = random_secrets.token_urlsafe(24)  # ASCII: security reads -P as an ASCII C string
        encryption = (serialization.PrivateFormat.PKCS12.encryption_builder()
                      .kdf_rounds(2048)
                      .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
                      .hmac_hash(hashes.SHA1())
                      .build(transport.encode()))
        wrapped = pkcs12.serialize_key_and_certificates(
            identity.nickname.encode(), key, cert, list(chain), encryption)  # type: ignore[arg-type]
        if len(wrapped) > PIPE_FILL_LIMIT:
            raise StoreError(self.name, "tool-failed",
                             f"the PKCS#12 is {len(wrapped)} bytes; security import reads at most "
                             f"{PIPE_FILL_LIMIT} from a pipe", "Contact Support with these details.")
        return wrapped, transport

    def _read_back(self, identity: Identity) -> None:
        entry = self._entry(identity.fingerprint)
        where = f"{identity.nickname} in {self.location}"
        if entry is None:
            raise StoreError(self.name, "read-back", f"{where}: the certificate is not there after importing it")
        if not entry.has_key:
            raise StoreError(self.name, "read-back",
                             f"{where}: security find-identity does not pair the certificate with a private key")
        if entry.nickname != identity.nickname:
            raise StoreError(self.name, "read-back", f"{where}: the private key is labelled {entry.key_label!r}")

    def _undo(self, identity: Identity) -> None:
        """After a failed read-back: take out what the import put in, as far as possible."""
        try:
            entries = self._inventory()
            entry = next((e for e in entries if e.fingerprint == identity.fingerprint), None)
            if entry is not None:
                self._delete(entry, entries)
        except StoreError:
            pass  # the read-back error is the one to report

    def _delete(self, target: _KeychainEntry, entries: list[_KeychainEntry]) -> None:
        """Certificate and key, unless another certificate still uses the key."""
        key_hash = public_key_hash(target.der)
        shared = any(e.has_key and e.sha1 != target.sha1 and public_key_hash(e.der) == key_hash for e in entries)
        command = "delete-identity" if target.has_key and not shared else "delete-certificate"
        self._security([command, "-Z", target.sha1, self.location])

    # -- reading -----------------------------------------------------------------------------
    def _entry(self, fingerprint_: str) -> _KeychainEntry | None:
        return next((e for e in self._inventory() if e.fingerprint == fingerprint_), None)

    def _inventory(self) -> list[_KeychainEntry]:
        """Every certificate in the keychain, whether it has a key, and that key's label."""
        pems = self._security(["find-certificate", "-a", "-Z", "-p", self.location]).stdout
        identities = parse_identities(self._security(["find-identity", "-p", "ssl-client", self.location]).stdout)
        labels = parse_key_labels(self._security(["dump-keychain", self.location]).stdout)
        entries = []
        for der in parse_certificates(pems):
            sha1 = hashlib.sha1(der).hexdigest().upper()
            entries.append(_KeychainEntry(der, sha1 in identities, labels.get(public_key_hash(der))))
        return entries

    # -- plumbing ----------------------------------------------------------------------------
    def _security(self, args: list[str], *, secrets: dict[str, bytes] | None = None) -> Any:
        runner = self._runner if self._runner is not None else _run.run
        return runner([SECURITY, *args], secrets=secrets, store=self.name)

    def _ref(self, nickname: str, fingerprint_: str) -> StoreRef:
        return StoreRef(self.name, self.location, nickname, fingerprint_)


# --- parsers for security's output (module level so that tests can feed them real samples) ----
def parse_certificates(output: bytes) -> list[bytes]:
    """The DER of every PEM block in ``find-certificate -p`` output."""
    return [base64.b64decode(b"".join(block.split())) for block in _PEM_BLOCK.findall(output)]


def parse_identities(output: bytes) -> set[str]:
    """Upper-case SHA-1s from ``find-identity`` lines such as ``  1) 9F2A... "Anna" (CSSMERR_TP_NOT_TRUSTED)``."""
    found = set()
    for line in output.decode("utf-8", "replace").splitlines():
        match = _IDENTITY_LINE.match(line)
        if match:
            found.add(match.group(1).upper())
    return found


def parse_key_labels(output: bytes) -> dict[bytes, str]:
    """Public-key SHA-1 -> label of every private key in ``dump-keychain`` output (no ``-d``)."""
    labels: dict[bytes, str] = {}
    for record in re.split(r"^keychain: ", output.decode("utf-8", "replace"), flags=re.M)[1:]:
        item_class: bytes | None = None
        attributes: dict[int, bytes | None] = {}
        for line in record.splitlines():
            if line.startswith("class: "):
                item_class = _decode_buffer(line[len("class: "):])
                continue
            match = _ATTRIBUTE_LINE.match(line)
            if match and match.group(1).startswith("0x"):
                attributes[int(match.group(1), 16)] = _decode_buffer(match.group(3))
        if item_class is None or int.from_bytes(item_class.rjust(4, b"\0"), "big") != PRIVATE_KEY_CLASS:
            continue
        key_hash, name = attributes.get(KEY_LABEL), attributes.get(KEY_PRINT_NAME)
        if key_hash and name is not None:
            labels[key_hash] = name.decode("utf-8", "replace")
    return labels


def _decode_buffer(text: str) -> bytes | None:
    """Undo security's print_buffer: ``0xHEX``, ``0xHEX  "ascii"``, ``"ascii with \\ooo"`` or ``<NULL>``."""
    text = text.strip()
    if text == "<NULL>" or not text:
        return None
    if text.startswith("0x"):
        return bytes.fromhex(text[2:].split()[0] if len(text) > 2 else "")
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        body, out, index = text[1:-1], bytearray(), 0
        while index < len(body):
            if body[index] == "\\" and re.fullmatch(r"[0-7]{3}", body[index + 1:index + 4]):
                out.append(int(body[index + 1:index + 4], 8))
                index += 4
            else:
                out.extend(body[index].encode("latin-1", "replace"))
                index += 1
        return bytes(out)
    return None


_FIX_DAMAGED = "Restore the certificate from its backup or request it again; if that fails, contact Support."


def public_key_hash(cert_der: bytes) -> bytes:
    """SHA-1 of the subjectPublicKey bits: Apple's ``hpky`` on a certificate and label of its key."""
    key = x509.load_der_x509_certificate(cert_der).public_key()
    if isinstance(key, rsa.RSAPublicKey):
        bits = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        bits = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    else:
        bits = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha1(bits).digest()
