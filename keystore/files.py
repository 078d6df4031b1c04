"""One identity as files in a folder, for administration software (HIS, AIS) that reads PEM or PKCS#12.

The folder (0700) holds:

* ``zorgcert.p12``: key, certificate and chain; PBES2 AES-256-CBC with PBKDF2-SHA256
  (``KDF_ROUNDS``), MAC HMAC-SHA256, password from ``p12_password()``; 0600;
* ``cert.pem``: the certificate, then the chain (issuing CA, root);
* ``key.pem``: the private key, unencrypted PKCS#8 PEM, 0600: administration software and
  ``requests`` need it as is, so the folder's permissions are what protects it;
* ``ca.pem``: issuing CA and root;
* ``zorgcert.json``: nickname, fingerprint and user number, written last: the commit marker.

The folder is ZorgCert's only when it is new, empty, or holds nothing but these names (with
a valid marker, or, after a crash, a ``cert.pem`` of the same user number): a folder with
anything else in it belongs to someone else and is refused (``not-ours``), and only a folder
this store created is made 0700.

An install writes every file under a temporary name, fsyncs it, removes the old marker,
renames the files into place, fsyncs the folder and only then writes the marker. ``find``
trusts a set only when the marker names it, ``cert.pem`` has the marker's fingerprint
and ``key.pem`` belongs to that certificate: a crash halfway leaves "not found", and the
app's journal installs again.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from keystore.base import Availability, Identity, StoreError, StoreRef, fingerprint
from keystore.der import pfx_shape_ok
from keystore.durable import fsync_folder, write_new

STORE = "file"
P12_NAME = "zorgcert.p12"
CERT_NAME = "cert.pem"
KEY_NAME = "key.pem"
CA_NAME = "ca.pem"
MARKER_NAME = "zorgcert.json"
_DATA_FILES = (P12_NAME, CERT_NAME, KEY_NAME, CA_NAME)
_OUR_NAMES = frozenset((*_DATA_FILES, MARKER_NAME))
NOT_OURS_FIX = "choose an empty or new folder for the certificate files"
_TMP_PREFIX = ".zorgcert-tmp-"
_MODES = {P12_NAME: 0o600, KEY_NAME: 0o600, CERT_NAME: 0o644, CA_NAME: 0o644, MARKER_NAME: 0o644}

# PBKDF2-SHA256 rounds for zorgcert.p12. Measured here (2 cores, cryptography 46): writing a
# PKCS#12 with PBES2 on key and certificates costs ~65 ms per 200_000 rounds; with opening the
# transfer PKCS#12 an install takes ~0.1 s (EC) to ~0.17 s (RSA, whose key checks cost), well
# inside the 0.3 s budget with room for slower practice PCs. 600_000 (OWASP's figure for human
# passwords) would add ~0.13 s per write and buy little: the password is a random keyring
# secret, and key.pem lies unencrypted next to the file anyway. The PKCS#12 MAC keeps
# cryptography's fixed 2048 iterations whatever this says.
KDF_ROUNDS = 200_000


def _spki(public_key: Any) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _pem(der: bytes) -> bytes:
    return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)


class FileStore:
    """A folder holding one identity as PKCS#12 and PEM files."""

    name = STORE

    def __init__(self, folder: Path, *, p12_password: Callable[[], str]):
        self.folder = Path(folder)
        self.location = str(self.folder)
        self._p12_password = p12_password

    def __repr__(self) -> str:
        return f"FileStore({self.location!r})"

    def available(self) -> Availability:
        """The folder exists, is ours (see the module docstring) and is writable, or can be created."""
        if self.folder.exists():
            if not self.folder.is_dir():
                return Availability(False, f"{self.folder} is not a folder",
                                    "choose a folder for the certificate files")
            strangers = self._strangers() or ([] if self._holder_here() is not None else
                                              [n for n in _DATA_FILES if (self.folder / n).exists()])
            if strangers:
                return Availability(False, f"{self.folder} holds files that are not ZorgCert's "
                                    f"({', '.join(strangers[:3])})", NOT_OURS_FIX, reason="not-ours")
            if not os.access(self.folder, os.W_OK | os.X_OK):
                return Availability(False, f"{self.folder} is not writable for this user",
                                    f"give this user write access to {self.folder}")
            return Availability(True, f"folder {self.folder}")
        parent = next((p for p in self.folder.parents if p.exists()), None)
        if parent is None or not os.access(parent, os.W_OK | os.X_OK):
            return Availability(False, f"cannot create {self.folder}",
                                f"create {self.folder} or make {parent} writable")
        return Availability(True, f"folder {self.folder} (will be created)")

    # --- whose folder is it ------------------------------------------------------------------

    def _strangers(self) -> list[str]:
        """Names in the folder that ZorgCert did not write there (sorted; empty when it is ours or absent)."""
        try:
            names = sorted(entry.name for entry in os.scandir(self.folder))
        except FileNotFoundError:
            return []
        except OSError:
            return ["?"]
        return [n for n in names if n not in _OUR_NAMES and not n.startswith(_TMP_PREFIX)]

    def _holder_here(self) -> str | None:
        """Whose files are these? The user number of a set we wrote (marker, or after a crash cert.pem);
        "" for an empty folder; None when our file names hold something else (another program's key.pem)."""
        if not any((self.folder / n).exists() for n in _DATA_FILES):
            return ""
        marker = self._marker()
        if marker is not None:
            return marker["user_number"]
        # our names without a marker: an install interrupted before it wrote the marker leaves
        # the certificate of a user number in cert.pem; a key.pem or cert.pem of another program does not
        try:
            leaf = x509.load_pem_x509_certificates((self.folder / CERT_NAME).read_bytes())[0]
        except (OSError, ValueError, IndexError):
            return None
        numbers = leaf.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)
        number = str(numbers[0].value) if numbers else ""
        return number if len(number) == 14 and number.isascii() and number.isdigit() else None

    def _ours_for(self, identity: Identity) -> bool:
        """May an install of ``identity`` write here? Nothing foreign, and our names really ours."""
        if self._strangers():
            return False
        holder = self._holder_here()
        return holder is not None and (holder == "" or self._marker() is not None or holder == identity.user_number)

    # --- reading ----------------------------------------------------------------------------

    def _marker(self) -> dict[str, str] | None:
        try:
            data = json.loads((self.folder / MARKER_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in
                                                 ("nickname", "fingerprint", "user_number")):
            return None
        return data

    def _leaf_fingerprint(self) -> str | None:
        try:
            certs = x509.load_pem_x509_certificates((self.folder / CERT_NAME).read_bytes())
        except (OSError, ValueError):
            return None
        return fingerprint(certs[0].public_bytes(serialization.Encoding.DER)) if certs else None

    def _complete(self, marker: dict[str, str]) -> bool:
        """Do the files on disk form the set the marker names (certificate and matching key)?"""
        try:
            cert = x509.load_pem_x509_certificates((self.folder / CERT_NAME).read_bytes())[0]
            # Only the public half is compared, so OpenSSL's costly RSA key check can be skipped.
            key = serialization.load_pem_private_key((self.folder / KEY_NAME).read_bytes(), password=None,
                                                     unsafe_skip_rsa_key_validation=True)
            if fingerprint(cert.public_bytes(serialization.Encoding.DER)) != marker["fingerprint"]:
                return False
            if _spki(key.public_key()) != _spki(cert.public_key()):
                return False
            return all((self.folder / n).stat().st_size > 0 for n in (P12_NAME, CA_NAME))
        except (OSError, ValueError, TypeError, IndexError):
            return False

    def find(self, fingerprint: str) -> StoreRef | None:
        """The entry if the folder holds exactly this certificate with its key."""
        marker = self._marker()
        if marker is None or marker["fingerprint"] != fingerprint.lower() or not self._complete(marker):
            return None
        return StoreRef(STORE, self.location, marker["nickname"], marker["fingerprint"])

    def export_pfx(self, fingerprint: str, password: str) -> bytes | None:
        """This certificate with its private key (key.pem) as a PKCS#12 under ``password``, built in memory.

        None when the folder does not hold this certificate with its key. Used to rebuild the
        app's vault after the keyring lost the vault key (and with it this folder's .p12 password).
        """
        if self.find(fingerprint) is None:
            return None
        key = serialization.load_pem_private_key((self.folder / KEY_NAME).read_bytes(), password=None)
        certs = x509.load_pem_x509_certificates((self.folder / CERT_NAME).read_bytes())
        return pkcs12.serialize_key_and_certificates(
            None, key, certs[0], certs[1:],  # type: ignore[arg-type]
            serialization.BestAvailableEncryption(password.encode()),
        )

    def list_ours(self) -> list[StoreRef]:
        """The one identity in this folder, if its set of files is complete."""
        marker = self._marker()
        ref = self.find(marker["fingerprint"]) if marker else None
        return [ref] if ref else []

    # --- writing ----------------------------------------------------------------------------

    def _open(self, identity: Identity) -> Any:
        """The private key from the identity's PKCS#12, checked against its certificate."""
        try:
            key, cert, _ = pkcs12.load_key_and_certificates(identity.pfx, identity.pfx_password.encode())
        except ValueError:
            if pfx_shape_ok(identity.pfx):
                raise StoreError(STORE, "wrong-password", "the PKCS#12 password is wrong (or its MAC is damaged)",
                                 fix="start the installation again; if it persists, contact Support") from None
            raise StoreError(STORE, "corrupt", "the PKCS#12 data is damaged",
                             fix="start the installation again; if it persists, contact Support") from None
        if key is None or cert is None or cert.public_bytes(serialization.Encoding.DER) != identity.cert_der \
                or _spki(key.public_key()) != _spki(cert.public_key()):
            raise StoreError(STORE, "corrupt", "the PKCS#12 does not hold this certificate with its key",
                             fix="start the installation again; if it persists, contact Support")
        return key

    def _contents(self, identity: Identity, key: Any, password: bytes) -> dict[str, bytes]:
        cert = x509.load_der_x509_certificate(identity.cert_der)
        chain = [x509.load_der_x509_certificate(d) for d in identity.chain_der]
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(KDF_ROUNDS)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
            .build(password)
        )
        marker = {"nickname": identity.nickname, "fingerprint": identity.fingerprint,
                  "user_number": identity.user_number}
        return {
            P12_NAME: pkcs12.serialize_key_and_certificates(identity.nickname.encode(), key, cert, chain, encryption),
            CERT_NAME: _pem(identity.cert_der) + b"".join(_pem(d) for d in identity.chain_der),
            KEY_NAME: key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()),
            CA_NAME: b"".join(_pem(d) for d in identity.chain_der),
            MARKER_NAME: (json.dumps(marker, indent=2) + "\n").encode(),
        }

    def _write_temp(self, name: str, data: bytes) -> Path:
        """Write ``data`` durably under a fresh temporary name in the folder, with its final permissions."""
        tmp = self.folder / f"{_TMP_PREFIX}{secrets.token_hex(6)}-{name}"
        write_new(tmp, data, _MODES[name])
        return tmp

    def _clean_temps(self) -> None:
        for stale in self.folder.glob(f"{_TMP_PREFIX}*"):
            stale.unlink(missing_ok=True)

    def install(self, identity: Identity) -> StoreRef:
        """Write the set of files for this identity (replacing another one), then read it back."""
        ref = self.find(identity.fingerprint)
        if ref is not None:
            return ref
        if self.folder.exists() and not self._ours_for(identity):
            raise StoreError(STORE, "not-ours", f"{self.folder} holds files that are not ZorgCert's", NOT_OURS_FIX)
        key = self._open(identity)
        password = self._p12_password().encode()
        contents = self._contents(identity, key, password)
        try:
            if not self.folder.exists():  # only a folder made here is made owner-only
                self.folder.mkdir(mode=0o700, parents=True)
                os.chmod(self.folder, 0o700)
            self._clean_temps()
            temps = {name: self._write_temp(name, contents[name]) for name in _DATA_FILES}
            (self.folder / MARKER_NAME).unlink(missing_ok=True)  # from here the old set is no longer trusted
            fsync_folder(self.folder)
            for name, tmp in temps.items():
                os.replace(tmp, self.folder / name)
            fsync_folder(self.folder)
            os.replace(self._write_temp(MARKER_NAME, contents[MARKER_NAME]), self.folder / MARKER_NAME)
            fsync_folder(self.folder)
        except OSError as exc:
            raise StoreError(STORE, "tool-failed", f"cannot write to {self.folder}: {exc.strerror or exc}",
                             fix=f"check that {self.folder} is writable and the disk is not full") from None
        return self._read_back(identity, contents)

    def _read_back(self, identity: Identity, written: dict[str, bytes]) -> StoreRef:
        """Certificate and key as ``find`` sees them, and every file byte for byte as written."""
        ref = self.find(identity.fingerprint)
        try:
            same = all((self.folder / name).read_bytes() == data for name, data in written.items())
        except OSError:
            same = False
        if ref is None or not same:
            raise StoreError(STORE, "read-back", f"the files in {self.folder} do not read back as written",
                             fix=f"check the disk and {self.folder}, then install again")
        return ref

    def remove(self, ref: StoreRef) -> None:
        """Delete the files of this certificate (marker first); leave a folder holding another one alone."""
        marker = self._marker()
        if marker is not None:
            if marker["fingerprint"] != ref.fingerprint.lower():
                return
        elif self._leaf_fingerprint() not in (ref.fingerprint.lower(), None):
            return
        try:
            (self.folder / MARKER_NAME).unlink(missing_ok=True)
            if not self.folder.is_dir():
                return
            fsync_folder(self.folder)
            for name in _DATA_FILES:
                (self.folder / name).unlink(missing_ok=True)
            self._clean_temps()
            fsync_folder(self.folder)
        except OSError as exc:
            raise StoreError(STORE, "tool-failed", f"cannot remove the files in {self.folder}: {exc.strerror or exc}",
                             fix=f"check that {self.folder} is writable") from None
