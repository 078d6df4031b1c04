"""NSS databases on Linux: Chromium's ``~/.pki/nssdb`` and every Firefox profile's ``cert9.db``.

All work goes through ``certutil`` and ``pk12util`` (package libnss3-tools).

How NSS files a certificate, and why this module never selects one by nickname alone:
NSS treats a nickname as a property of a *subject*. ``pk12util`` files a certificate
whose subject is already in the database under the existing nickname, whatever the
PKCS#12 friendlyName says, and ``certutil -L -n NICK`` returns every certificate of that
subject. A renewal (same subject, new key, old certificate still present) would so end
up under the old certificate's nickname, and ``certutil -F -n NICK`` could delete the
wrong certificate and key. What holds instead:

* each certificate object has its own label (``CKA_LABEL``) and id (``CKA_ID``); for keys
  and certificates NSS makes the id from the public key (SHA-1 of the RSA modulus, SHA-1
  of the EC point), so a certificate and its private key share it;
* ``certutil -A -n NICK`` gives a new certificate the nickname asked for even when the
  subject is known, and a later ``pk12util`` import of the same certificate keeps it;
* a PKCS#11 URI ``pkcs11:object=LABEL;id=ID`` names one certificate object (unless two
  share label *and* key), and ``certutil -L/-D/-F/-M/--rename -n`` accept it;
* ``certutil -L -n NAME -a`` prints the whole subject list, newest first, not the
  certificate NAME matched: it tells whether NAME matches, never which one it matched;
* ``certutil -F -n NAME`` deletes certificate and key, ``-D`` the certificate only,
  ``-F -k ID`` the key only; the nickname ``certutil -K`` shows is the key's own label.

So ``install`` first adds the certificate under its own nickname, then imports the
PKCS#12 (key and chain), and every later step addresses the certificate by label + id.
``remove`` deletes the key only when no other certificate uses it (a renewal that kept
its key); certificates that share label and key with the one removed are put back.
"""

from __future__ import annotations

import base64
import configparser
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from keystore import _run
from keystore import der as asn1
from keystore.base import NICKNAME_PREFIX, Availability, Identity, StoreError, StoreRef, fingerprint

STORE = "nss"
_TOOLS_FIX = "install libnss3-tools (apt install libnss3-tools)"
_LISTING_LINE = re.compile(r"^(?P<label>.*?)\s+(?P<trust>[a-zA-Z]*,[a-zA-Z]*,[a-zA-Z]*)\s*$")
_KEY_LINE = re.compile(r"^<\s*\d+>\s+\S+\s+(?P<id>[0-9a-fA-F]+)\b")
_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.S)
_CORRUPT = (b"SEC_ERROR_BAD_DATABASE", b"SEC_ERROR_PKCS11_GENERAL_ERROR", b"SEC_ERROR_LEGACY_DATABASE")
# the files of a new database that move into place; pkcs11.txt stays behind (it names the folder it was
# made in), NSS writes its own when it needs one. cert9.db moves last: its presence means "a database is here".
_DB_FILES = ("key4.db", "cert9.db")
_NEW_DB_ROOM = 256 * 1024  # a new database is ~70 kB; less free than this and certutil -N fails
_LOCKED = ("SEC_ERROR_BAD_PASSWORD", "could not authenticate", "password file contains no data",
           "Failed to authenticate", "SEC_ERROR_TOKEN_NOT_LOGGED_IN")


# --- public-key ids: the smallest DER walk that finds SubjectPublicKeyInfo ---------------

_RSA_OID = bytes.fromhex("2a864886f70d010101")
_EC_OID = bytes.fromhex("2a8648ce3d0201")


def key_id(cert_der: bytes) -> bytes | None:
    """The CKA_ID NSS gives this certificate and its private key; None for key types other than RSA and EC."""
    try:
        _, certificate, _ = asn1.read_tlv(cert_der)
        _, tbs = asn1.children(certificate)[0]  # tbsCertificate
        fields = asn1.children(tbs)
        if fields[0][0] == asn1.CONTEXT_0:  # [0] version
            fields = fields[1:]
        _, spki = fields[5]  # serial, signature, issuer, validity, subject, subjectPublicKeyInfo
        (_, algorithm), (_, bits) = asn1.children(spki)
        _, oid_bytes = asn1.children(algorithm)[0]
        key = bits[1:]  # skip the unused-bits octet
        if oid_bytes == _RSA_OID:
            _, modulus = asn1.children(asn1.read_tlv(key)[1])[0]
            return hashlib.sha1(modulus.lstrip(b"\0")).digest()  # NSS's id
        if oid_bytes == _EC_OID:
            return hashlib.sha1(key).digest()  # NSS's id
    except (IndexError, ValueError):
        return None
    return None


def _uri(label: str | None, kid: bytes) -> str:
    """PKCS#11 URI of the certificate objects with this label (if given) and this public-key id."""
    by_id = f"id={quote(kid, safe='')}"
    return f"pkcs11:object={quote(label, safe='')};{by_id}" if label is not None else f"pkcs11:{by_id}"


def _said(result: subprocess.CompletedProcess[bytes]) -> bytes:
    """What a tool wrote: certutil writes some errors to stdout when that is not a terminal."""
    return (result.stdout or b"") + (result.stderr or b"")


def _pem_certs(text: bytes) -> list[bytes]:
    return [base64.b64decode(b"".join(m.split())) for m in _PEM.findall(text)]


def _own_label(label: str, der: bytes) -> bool:
    """Does ``label`` carry this certificate's fingerprint, as ZorgCert nicknames do?"""
    return label.endswith(" " + fingerprint(der)[:12])


# --- trust flags as certutil prints them (-L -n NAME, "Certificate Trust Flags") ----------

_FLAG_LETTERS = {"Valid CA": "c", "Trusted CA": "C", "Trusted Client CA": "T", "Terminal Record": "p",
                 "Valid Peer": "p", "Trusted": "P", "Warn When Sending": "w", "Send Warning": "w",
                 "Step-up": "g"}
_SECTIONS = ("SSL Flags:", "Email Flags:", "Object Signing Flags:")


def _trust_by_fingerprint(text: str) -> dict[str, list[str]]:
    """Trust of each certificate certutil printed, as three letter groups (SSL, S/MIME, object signing)."""
    out: dict[str, list[str]] = {}
    for block in re.split(r"^Certificate:\s*$", text, flags=re.M)[1:]:
        found = re.search(r"Fingerprint \(SHA-256\):\s*\n\s*([0-9A-Fa-f:]+)", block)
        if not found or "Certificate Trust Flags:" not in block:
            continue
        groups: list[set[str]] = []
        for raw in block.split("Certificate Trust Flags:", 1)[1].splitlines():
            line = raw.strip()
            if line in _SECTIONS:
                groups.append(set())
            elif groups and line in _FLAG_LETTERS:
                groups[-1].add(_FLAG_LETTERS[line])
        if len(groups) != 3:
            continue
        letters = []
        for group in groups:
            if group & {"C", "T"}:
                group.discard("c")  # C and T already mean "valid CA"
            if "P" in group:
                group.discard("p")
            letters.append("".join(sorted(group)))
        out[found[1].replace(":", "").lower()] = letters
    return out


@dataclass(frozen=True)
class _Cert:
    label: str
    der: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.der)

    @property
    def key_id(self) -> bytes | None:
        return key_id(self.der)


class NssStore:
    """One NSS database (``sql:`` format), e.g. Chromium's or one Firefox profile's."""

    name = STORE

    def __init__(self, db_dir: Path, *, label: str, create: bool = False,
                 db_password: Callable[[], str | None] | None = None):
        self.db_dir = Path(db_dir)
        self.label = label
        self.location = f"sql:{self.db_dir}"
        self._create = create
        self._db_password = db_password
        self._password: str | None = None  # asked once, kept in memory only

    def __repr__(self) -> str:
        return f"NssStore({self.location!r}, label={self.label!r})"

    # --- availability ---------------------------------------------------------------------

    def available(self) -> Availability:
        """Tools on PATH, database present (or creatable) and readable, password known if it has one."""
        for tool in ("certutil", "pk12util"):
            if _run.which(tool) is None:
                return Availability(False, f"{tool} was not found on PATH", _TOOLS_FIX, reason="tool-missing")
        if not self._exists():
            if self._create:
                parent = next((p for p in (self.db_dir, *self.db_dir.parents) if p.exists()), None)
                if parent is not None and os.access(parent, os.W_OK | os.X_OK):
                    return Availability(True, f"{self.label}: the NSS database {self.db_dir} will be created")
                return Availability(False, f"{self.label}: cannot create the NSS database {self.db_dir}",
                                    f"make {parent} writable for this user")
            return Availability(False, f"{self.label}: no NSS database (cert9.db) in {self.db_dir}",
                                "start the browser once so that it creates its certificate database")
        for file in ("cert9.db", "key4.db"):
            path = self.db_dir / file
            if path.exists() and not os.access(path, os.R_OK | os.W_OK):
                return Availability(False, f"{self.label}: {path} is not readable and writable for this user",
                                    f"give this user read and write access to {path}")
        try:
            self._certutil(["-L"])
            self._login_check()
        except StoreError as exc:
            if exc.reason == "corrupt-database":
                return Availability(False, f"{self.label}: {exc.detail}", exc.fix, reason="corrupt-database")
            return Availability(False, f"{self.label}: {exc.detail}", exc.fix)
        return Availability(True, f"{self.label}: NSS database {self.db_dir}")

    def _exists(self) -> bool:
        return (self.db_dir / "cert9.db").exists()

    def _unlocked(self) -> bool:
        result = self._certutil(["-K"], check=False)
        said = _said(result)
        if result.returncode == 0 or b"no keys found" in said:
            return True
        if any(s.encode() in said for s in _LOCKED):
            return False
        if any(mark in said for mark in _CORRUPT):
            raise self._corrupt(result)
        raise StoreError(STORE, "tool-failed", _run.failure_detail(result, self._secrets()),
                         fix=f"check the NSS database in {self.db_dir}")

    def _login_check(self) -> None:
        """Raise ``StoreError('unavailable')`` when the database has a password we do not have."""
        if self._unlocked():
            return
        if self._password is None and self._db_password is not None:
            self._password = self._db_password() or None
            if self._password is not None:
                if self._unlocked():
                    return
                self._password = None
                raise StoreError(STORE, "unavailable", f"the password of the NSS database {self.db_dir} is wrong",
                                 fix="enter the right password of this certificate database "
                                     "(in Firefox: the Primary Password)")
        raise StoreError(STORE, "unavailable", f"the NSS database {self.db_dir} is protected by a password",
                         fix="enter the password of this certificate database (in Firefox: the Primary Password)")

    def _ensure_ready(self) -> None:
        for tool in ("certutil", "pk12util"):
            if _run.which(tool) is None:
                raise StoreError(STORE, "tool-missing", f"{tool} was not found on PATH", fix=_TOOLS_FIX)
        if not self._exists():
            if not self._create:
                raise StoreError(STORE, "unavailable", f"no NSS database (cert9.db) in {self.db_dir}",
                                 fix="start the browser once so that it creates its certificate database")
            self._create_database()
        self._login_check()

    def _create_database(self) -> None:
        """A new, empty database, built aside (a temporary folder beside it) and moved in only when whole.

        ``certutil -N`` on a full disk leaves a ``cert9.db`` with an empty ``key4.db``: a database no
        tool can open again. Built aside, a failure leaves nothing behind, and the next run tries again.
        """
        parent = self.db_dir.parent
        try:
            parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            aside = Path(tempfile.mkdtemp(prefix=f".{self.db_dir.name}.new-", dir=parent))
        except OSError as exc:
            raise self._creation_failed(f"cannot make a folder in {parent}: {exc.strerror}") from None
        try:
            made = _run.run(["certutil", "-N", "--empty-password", "-d", f"sql:{aside}"], store=STORE, check=False)
            check = _run.run(["certutil", "-L", "-d", f"sql:{aside}"], store=STORE, check=False)
            whole = all((aside / name).is_file() and (aside / name).stat().st_size > 0 for name in _DB_FILES)
            if made.returncode != 0 or check.returncode != 0 or not whole:
                raise self._creation_failed(_run.failure_detail(made, {}) if made.returncode else "incomplete")
            try:
                self.db_dir.mkdir(mode=0o700, exist_ok=True)
                for name in _DB_FILES:
                    os.replace(aside / name, self.db_dir / name)
            except OSError as exc:
                for name in _DB_FILES:  # half moved: take it back out, so no broken database stays
                    if (self.db_dir / name).exists() and not (aside / name).exists():
                        try:
                            os.replace(self.db_dir / name, aside / name)
                        except OSError:
                            pass
                raise self._creation_failed(f"{exc.strerror}") from None
        finally:
            shutil.rmtree(aside, ignore_errors=True)

    def _creation_failed(self, detail: str) -> StoreError:
        parent = next((p for p in (self.db_dir, *self.db_dir.parents) if p.exists()), self.db_dir)
        try:
            full = shutil.disk_usage(parent).free < _NEW_DB_ROOM
        except OSError:
            full = False
        if full:
            return StoreError(STORE, "no-space", f"no room to create the NSS database {self.db_dir}: {detail}",
                              fix=f"make room on the disk of {parent}, then try again")
        return StoreError(STORE, "tool-failed", f"could not create the NSS database {self.db_dir}: {detail}",
                          fix=f"check that {parent} is writable, then try again")

    # --- the tools ------------------------------------------------------------------------

    def _corrupt(self, result: subprocess.CompletedProcess[bytes]) -> StoreError:
        detail = next((m.decode() for m in _CORRUPT if m in _said(result)), "bad database")
        return StoreError(STORE, "corrupt-database", f"the NSS database {self.db_dir} is damaged ({detail})",
                          fix=f"close the browsers, move {self.db_dir} aside and let ZorgCert create a new one")

    def _secrets(self) -> dict[str, bytes]:
        return {"dbpw": (self._password or "").encode()}

    def _certutil(self, args: list[str], *, check: bool = True, input: bytes | None = None,
                  with_password: bool = True) -> subprocess.CompletedProcess[bytes]:
        argv = ["certutil", *args, "-d", self.location]
        if with_password:
            argv += ["-f", "{secret:dbpw}"]
        result = _run.run(argv, secrets=self._secrets(), input=input, store=STORE, check=False)
        if check and result.returncode != 0:
            if any(mark in _said(result) for mark in _CORRUPT):
                raise self._corrupt(result)
            raise StoreError(STORE, "tool-failed", _run.failure_detail(result, self._secrets()),
                             fix="see the message of certutil; if it persists, contact Support with these details")
        return result

    def _listing(self) -> list[tuple[str, str]]:
        """(label, trust) of every certificate object, as ``certutil -L`` lists them."""
        out = self._certutil(["-L"]).stdout.decode("utf-8", "replace")
        rows = []
        for line in out.splitlines()[1:]:
            match = _LISTING_LINE.match(line)
            if match and match["trust"] != "SSL,S/MIME,JAR/XPI":
                rows.append((match["label"].strip(), match["trust"]))
        return rows

    def _subject_list(self, name: str) -> list[bytes]:
        """Every certificate of the subject of the one ``certutil -L -n name`` finds; [] when none.

        certutil prints the whole subject list, newest first, not the certificate it matched.
        """
        result = self._certutil(["-L", "-n", name, "-a"], check=False)
        return _pem_certs(result.stdout) if result.returncode == 0 else []

    def _has(self, name: str) -> bool:
        """Does ``certutil -L -n name`` (a nickname or a PKCS#11 URI) find any certificate?"""
        return self._certutil(["-L", "-n", name, "-a"], check=False).returncode == 0

    def _certs(self) -> list[_Cert]:
        """Every certificate object whose label starts with ZorgCert, with or without its key."""
        counts = Counter(label for label, _ in self._listing() if label.startswith(NICKNAME_PREFIX))
        pairs: list[tuple[str, bytes]] = []
        for label, count in counts.items():
            subject_list = self._subject_list(label)
            if count == 1 and len(subject_list) == 1:
                pairs.append((label, subject_list[0]))
                continue
            # Several certificates of one subject: ask NSS which of them carry this label.
            owners = [d for d in subject_list if _own_label(label, d)]
            if count == 1 and len(owners) == 1 and self._has(_uri(label, key_id(owners[0]) or b"")):
                pairs.append((label, owners[0]))
                continue
            matches = [d for d in subject_list if key_id(d) is not None and self._has(_uri(label, key_id(d) or b""))]
            if len(matches) <= count:  # as many objects carry the label as match it: all of them do
                pairs += [(label, d) for d in matches]
                continue
            for der in matches:
                # Certificates that share a key (a renewal that kept it) match the same URI;
                # give the label to the one whose fingerprint it carries, if any.
                twins = [d for d in matches if key_id(d) == key_id(der)]
                if len(twins) == 1 or _own_label(label, der) or not any(_own_label(label, t) for t in twins):
                    pairs.append((label, der))
        found: dict[str, _Cert] = {}
        for label, der in sorted(pairs, key=lambda p: not _own_label(*p)):  # a certificate's own name first
            found.setdefault(fingerprint(der), _Cert(label, der))
        return list(found.values())

    def _key_ids(self) -> set[bytes]:
        result = self._certutil(["-K"], check=False)
        if result.returncode != 0:
            if b"no keys found" in _said(result):
                return set()
            self._login_check()
            result = self._certutil(["-K"])
        ids = set()
        for line in result.stdout.decode("utf-8", "replace").splitlines():
            match = _KEY_LINE.match(line.strip())
            if match and len(match["id"]) % 2 == 0:
                ids.add(bytes.fromhex(match["id"]))
        return ids

    def _ref(self, cert: _Cert) -> StoreRef:
        return StoreRef(STORE, self.location, cert.label, cert.fingerprint)

    # --- the interface --------------------------------------------------------------------

    def find(self, fingerprint: str) -> StoreRef | None:
        """The entry of this certificate if the database holds it with its private key."""
        if not self._exists():
            return None
        certs = [c for c in self._certs() if c.fingerprint == fingerprint.lower()]
        if not certs:
            return None
        keys = self._key_ids()
        return next((self._ref(c) for c in certs if c.key_id in keys), None)

    def list_ours(self) -> list[StoreRef]:
        """Every ZorgCert certificate that has its private key here, one entry per certificate."""
        if not self._exists():
            return []
        certs = self._certs()
        if not certs:
            return []
        keys = self._key_ids()
        return [self._ref(c) for c in certs if c.key_id is not None and c.key_id in keys]

    def install(self, identity: Identity) -> StoreRef:
        """Add the certificate under its own nickname, import key and chain, read both back."""
        kid = key_id(identity.cert_der)
        if kid is None:
            raise StoreError(STORE, "corrupt", "the certificate has a key type other than RSA or EC",
                             fix="ask the issuer for an RSA or EC certificate")
        self._ensure_ready()
        fp = identity.fingerprint
        present = [c for c in self._certs() if c.fingerprint == fp]
        if present and kid in self._key_ids():
            return self._ref(present[0])
        if not asn1.pfx_shape_ok(identity.pfx):
            # pk12util calls a truncated file a wrong password; say what it is, and touch nothing.
            raise StoreError(STORE, "corrupt", "the PKCS#12 data is damaged (not one DER structure)",
                             fix="start the installation again; if it persists, contact Support")
        added = False
        if not present:
            same_subject = self._subject_list(_uri(None, kid))
            if identity.cert_der in same_subject and sum(key_id(d) == kid for d in same_subject) == 1:
                # Here already under a name that is not ours (imported by hand): give it ours.
                self._certutil(["--rename", "-n", _uri(None, kid), "--new-n", identity.nickname])
            else:
                self._certutil(["-A", "-n", identity.nickname, "-t", ",,"], input=identity.cert_der)
                added = True
        result = _run.run(
            ["pk12util", "-i", "{file:pfx}", "-w", "{secret:pfxpw}", "-k", "{secret:dbpw}", "-d", self.location],
            secrets={"pfxpw": identity.pfx_password.encode(), **self._secrets()},
            files={"pfx": identity.pfx},
            store=STORE,
            check=False,
        )
        if result.returncode != 0:
            if added:  # leave the database as it was
                self._certutil(["-D", "-n", _uri(identity.nickname, kid)], check=False)
            raise self._import_error(result, identity)
        ref = self.find(fp)
        if ref is None:
            raise StoreError(STORE, "read-back",
                             f"{identity.nickname} is not in {self.location} with its private key after the import",
                             fix="close Firefox and Chromium and install again; if it persists, contact Support")
        return ref

    def _import_error(self, result: subprocess.CompletedProcess[bytes], identity: Identity) -> StoreError:
        detail = _run.failure_detail(result, {"pfxpw": identity.pfx_password.encode(), **self._secrets()})
        said = _said(result)
        if b"authenticate" in said:
            return StoreError(STORE, "unavailable", f"the NSS database {self.db_dir} did not accept its password: "
                              + detail, fix="enter the right password of this certificate database")
        if b"SEC_ERROR_BAD_PASSWORD" in said:
            return StoreError(STORE, "wrong-password", "the PKCS#12 password is wrong: " + detail,
                              fix="start the installation again; if it persists, contact Support")
        if b"SEC_ERROR_BAD_DER" in said or b"decoding failed" in said:
            return StoreError(STORE, "corrupt", "the PKCS#12 data is damaged: " + detail,
                              fix="start the installation again; if it persists, contact Support")
        return StoreError(STORE, "tool-failed", detail,
                          fix="close Firefox and Chromium and try again; if it persists, contact Support")

    def remove(self, ref: StoreRef) -> None:
        """Delete exactly this certificate, and its key unless another certificate still uses that key."""
        if not self._exists():
            return
        targets = [c for c in self._certs() if c.fingerprint == ref.fingerprint.lower()]
        if not targets:
            return
        self._ensure_ready()
        keys = self._key_ids()
        orphaned = {kid for cert in targets if (kid := self._remove_one(cert, keys)) is not None}
        if any(c.fingerprint == ref.fingerprint.lower() for c in self._certs()) or orphaned & self._key_ids():
            raise StoreError(STORE, "tool-failed",
                             f"{ref.nickname} (or its key) is still in {self.location} after removal",
                             fix="close Firefox and Chromium and try again")

    def _remove_one(self, cert: _Cert, keys: set[bytes]) -> bytes | None:
        """Delete one certificate object; return the id of a key that must be gone now, if any."""
        kid = cert.key_id
        if kid is None:
            raise StoreError(STORE, "tool-failed", f"{cert.label} has a key type this program cannot address",
                             fix=f"remove it by hand: certutil -D -n '{cert.label}' -d {self.location}")
        # Other certificates with the same key (a renewal that kept its key) must keep it.
        twins = [d for d in self._subject_list(_uri(None, kid)) if d != cert.der and key_id(d) == kid]
        if not twins:
            command = "-F" if kid in keys else "-D"  # -F: certificate and key; -D: certificate only
            self._certutil([command, "-n", _uri(cert.label, kid)])
            return kid
        # label + id may then name a twin too (a twin filed under this label): delete every
        # object it names, then put back each twin that went. Their key stays (-D), so a
        # twin put back is whole again; it comes back under its own ZorgCert nickname.
        for _ in range(len(twins) + 1):
            if not self._has(_uri(cert.label, kid)):
                break
            self._certutil(["-D", "-n", _uri(cert.label, kid)])
        remaining = self._subject_list(_uri(None, kid))
        for twin in twins:
            if twin not in remaining:
                self._certutil(["-A", "-n", _renamed(cert.label, twin), "-t", ",,"], input=twin)
        return None

    def export_pfx(self, fingerprint: str, password: str) -> bytes | None:
        """This certificate with its private key as a PKCS#12 under ``password``, read back through a pipe.

        None when the database does not hold the certificate with its key. Used to rebuild the
        app's vault after the keyring lost the vault key (issue 12); nothing touches the disk.
        """
        if not self._exists():
            return None
        self._ensure_ready()
        cert = next((c for c in self._certs() if c.fingerprint == fingerprint.lower()), None)
        if cert is None or cert.key_id is None or cert.key_id not in self._key_ids():
            return None
        result = _run.run(
            ["pk12util", "-o", "/dev/stdout", "-n", _uri(cert.label, cert.key_id), "-w", "{secret:pfxpw}",
             "-k", "{secret:dbpw}", "-d", self.location],
            secrets={"pfxpw": password.encode(), **self._secrets()}, store=STORE, check=False,
        )
        if result.returncode != 0:
            raise StoreError(STORE, "tool-failed", _run.failure_detail(result, {"pfxpw": password.encode(),
                                                                                **self._secrets()}))
        # pk12util writes the PKCS#12 to the path given and its success line to stdout: the same pipe
        return result.stdout.replace(b"pk12util: PKCS12 EXPORT SUCCESSFUL\n", b"") or None

    def drop_website_trust(self, ca_ders: list[bytes]) -> list[str]:
        """Take website trust (``C``/``T`` in the SSL column) off these CA certificates; their labels.

        For databases an older ZorgCert changed: it trusted the issuer's root for websites
        (``C,,``), which a client-certificate wallet must never do. Only certificates whose DER
        is in ``ca_ders`` (the pinned issuer CA and the chain of our certificates) are touched;
        any other CA keeps the trust its user gave it. E-mail and code-signing trust stay.
        Costs one ``certutil -L`` when nothing needs changing.
        """
        if not ca_ders or not self._exists():
            return []
        wanted = {fingerprint(d): d for d in ca_ders}
        changed: list[str] = []
        for label, trust in self._listing():
            ssl_flags = trust.split(",")[0]
            if not {"C", "T"} & set(ssl_flags):
                continue
            for der in self._subject_list(label):
                fp, kid = fingerprint(der), key_id(der)
                if fp not in wanted or kid is None:
                    continue
                by_id = _uri(None, kid)
                flags = self._trust(by_id).get(fp)
                if flags is None or not {"C", "T"} & set(flags[0]):
                    continue
                flags[0] = "".join(sorted(set(flags[0]) - {"C", "T", "c"}))
                if not changed:
                    self._login_check()
                self._certutil(["-M", "-n", by_id, "-t", ",".join(flags)])
                after = self._trust(by_id).get(fp)
                if after is None or {"C", "T"} & set(after[0]):
                    raise StoreError(STORE, "read-back", f"{label} is still trusted for websites in {self.location}",
                                     fix="close Firefox and Chromium and try again")
                changed.append(label)
        return changed

    def _trust(self, name: str) -> dict[str, list[str]]:
        result = self._certutil(["-L", "-n", name], check=False)
        return _trust_by_fingerprint(result.stdout.decode("utf-8", "replace")) if result.returncode == 0 else {}


def _renamed(label: str, der: bytes) -> str:
    """``label`` with its fingerprint part replaced by that of ``der`` (ZorgCert nickname form)."""
    head, _, _ = label.rpartition(" ")
    return f"{head or label} {fingerprint(der)[:12]}"


# --- discovery ------------------------------------------------------------------------------


def _firefox_profiles(ini: Path) -> list[tuple[str, Path]]:
    """(profile name, folder) of every profile a Firefox ``profiles.ini`` lists."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read(ini, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return []
    out = []
    for section in parser.sections():
        if not section.startswith("Profile") or "Path" not in parser[section]:
            continue
        entry = parser[section]
        path = Path(entry["Path"])
        if entry.get("IsRelative", "1").strip() != "0":
            path = ini.parent / path
        out.append((entry.get("Name", path.name), path))
    return out


def discover(home: Path) -> list[NssStore]:
    """Chromium's database (created on first install if absent) and every Firefox profile that has one."""
    stores = [NssStore(home / ".pki" / "nssdb", label="Chromium", create=True)]
    seen = {os.path.realpath(stores[0].db_dir)}
    for ini, kind in ((home / ".mozilla" / "firefox" / "profiles.ini", "Firefox"),
                      (home / "snap" / "firefox" / "common" / ".mozilla" / "firefox" / "profiles.ini",
                       "Firefox snap")):
        if not ini.is_file():
            continue
        for profile, folder in _firefox_profiles(ini):
            real = os.path.realpath(folder)
            if real in seen or not (folder / "cert9.db").is_file():
                continue
            seen.add(real)
            stores.append(NssStore(folder, label=f"{kind} ({profile})"))
    return stores
