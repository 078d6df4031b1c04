"""A backup file is hostile input: crafted ones are refused before any store or the vault is touched.

In process, offline: the test CA is the pinned issuer CA (``ZORGCERT_ISSUER_CA``), no issuer
URL, so every check here is one ZorgCert makes without the network. Real NSS (certutil), a
real file store, a real keyring.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from app.backups import fileinfo, restore
from app.errors import RestoreRefused
from app.i18n import t
from app.lifecycle.services import ZorgCert
from app.state.paths import Paths
from backup import envelope
from backup.payload import Contents
from tests.backup.samples import CHEAP, PASSPHRASE, contents, metadata
from tests.backup.test_service import FixedClock
from tests.keystore.identities import CaPair, _ca_cert, authority, make_identity


@pytest.fixture()
def core(tmp_path: Path, secret_service: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> ZorgCert:
    ca = tmp_path / "pinned-ca.pem"
    ca.write_bytes(authority().root.public_bytes(Encoding.PEM))
    monkeypatch.setenv("ZORGCERT_ISSUER_CA", str(ca))
    monkeypatch.delenv("ZORGCERT_ISSUER_URL", raising=False)
    paths = Paths(tmp_path / "config", tmp_path / "data", tmp_path / "logs")
    return ZorgCert(paths, None, clock=FixedClock(datetime.datetime.now().astimezone()))


@pytest.fixture()
def nssdb(tmp_path: Path) -> Path:
    db = tmp_path / "nssdb"
    db.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True)
    return db


def certutil_list(db: Path) -> str:
    return subprocess.run(["certutil", "-L", "-d", f"sql:{db}"], capture_output=True, text=True, check=True).stdout


def tree(*roots: Path) -> dict[str, tuple[str, int]]:
    """Every file and folder under ``roots`` with its contents' hash and its mode."""
    out = {}
    for root in roots:
        for path in sorted([root, *root.rglob("*")]) if root.exists() else ():
            if path.suffix == ".lock":
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
            out[str(path)] = (digest, path.stat().st_mode)
    return out


def foreign_authority() -> CaPair:
    """Another root and issuing CA, made the way the test CA is: a forger's own PKI."""
    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Forger"),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    root_key, issuing_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root = _ca_cert(name("Forger Root"), root_key, name("Forger Root"), root_key, 1)
    issuing = _ca_cert(name("Forger Issuing"), issuing_key, root.subject, root_key, 0)
    return CaPair(root, issuing, issuing_key)


def foreign_leaf(ca: CaPair, user_number: str) -> tuple[bytes, bytes]:
    """(key DER, certificate DER) of a client certificate for ``user_number`` under ``ca``."""
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Anna de Vries"),
                                 x509.NameAttribute(NameOID.SERIAL_NUMBER, user_number)]))
        .issuer_name(ca.issuing.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=300))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.issuing_key.public_key()),
                       critical=False)
        .sign(ca.issuing_key, hashes.SHA256())
    )
    return key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()), cert.public_bytes(Encoding.DER)


def write(file: Path, payload: Contents, meta: envelope.Metadata) -> Path:
    file.write_bytes(envelope.seal(payload.encode(), meta, PASSPHRASE, CHEAP))
    return file


def refused(core: ZorgCert, file: Path, code: str, store: str) -> RestoreRefused:
    with pytest.raises(RestoreRefused) as err:
        restore.restore_backup(core, file, PASSPHRASE, store=store)
    assert err.value.code == code
    return err.value


def test_a_foreign_root_beside_a_genuine_certificate_is_dropped_never_installed(
        core: ZorgCert, tmp_path: Path, nssdb: Path) -> None:
    """The chain's last certificate used to be trusted in NSS: now only the path to the pinned CA is kept."""
    ident = make_identity()
    forger = foreign_authority()
    crafted = dataclasses.replace(contents(ident), chain_der=(*ident.chain_der, forger.root_der))
    file = write(tmp_path / "anna.zcbackup", crafted, metadata(ident))
    outcome = restore.restore_backup(core, file, PASSPHRASE, store=f"nss:{nssdb}")
    assert outcome.entry.fingerprint == ident.fingerprint
    listing = certutil_list(nssdb)
    assert "Forger" not in listing and f"ZorgCert {ident.user_number}" in listing, listing
    sealed = core.vault.get(ident.fingerprint)
    assert sealed is not None and sealed.chain_der == ident.chain_der  # exactly the verified path


def test_a_chain_that_does_not_reach_the_pinned_ca_is_refused_and_nss_unchanged(
        core: ZorgCert, tmp_path: Path, nssdb: Path) -> None:
    ident = make_identity()
    forger = foreign_authority()
    # the genuine leaf, but the chain offers only the forger's root: no path to the pinned CA
    crafted = dataclasses.replace(contents(ident), chain_der=(forger.root_der,))
    file = write(tmp_path / "anna.zcbackup", crafted, metadata(ident))
    before, listing = tree(core.paths.data_dir), certutil_list(nssdb)
    error = refused(core, file, "not-from-issuer", f"nss:{nssdb}")
    assert "niet uitgegeven door de uitgever die ZorgCert vertrouwt" in t(error.key, "nl", **error.params)
    assert "Er is niets veranderd" in t(error.key + ".next", "nl")
    assert certutil_list(nssdb) == listing and tree(core.paths.data_dir) == before


def test_a_certificate_from_another_ca_is_refused(core: ZorgCert, tmp_path: Path, nssdb: Path) -> None:
    forger = foreign_authority()
    ident = make_identity()
    key_der, cert_der = foreign_leaf(forger, ident.user_number)
    crafted = Contents(key_der, cert_der, (forger.issuing_der, forger.root_der), {"kind": "personal"})
    meta = dataclasses.replace(metadata(ident), fingerprint=hashlib.sha256(cert_der).hexdigest())
    file = write(tmp_path / "forged.zcbackup", crafted, meta)
    before, listing = tree(core.paths.data_dir), certutil_list(nssdb)
    refused(core, file, "not-from-issuer", f"nss:{nssdb}")
    assert certutil_list(nssdb) == listing and tree(core.paths.data_dir) == before
    assert core.vault.get(hashlib.sha256(cert_der).hexdigest()) is None


@pytest.fixture()
def victim() -> Iterator[Path]:
    """Another program's folder (0755, with its own key.pem), at a path with no dots or dashes."""
    folder = Path("/tmp") / f"zcvictim{secrets.token_hex(6)}"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    (folder / "key.pem").write_text("another program's key\n")
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=True)


@pytest.mark.parametrize("how", ["dotdot", "absolute", "check-digit", "not-the-certificates"])
def test_a_user_number_that_is_not_one_names_no_folder(core: ZorgCert, tmp_path: Path, victim: Path,
                                                       how: str) -> None:
    """A system certificate's files go to a folder named by the user number: only a checked one."""
    good = make_identity()
    number = {
        "dotdot": "../../x",
        "absolute": str(victim),  # what ../.. becomes once the separators are stripped
        "check-digit": good.user_number[:-1] + str((int(good.user_number[-1]) + 1) % 10),
        "not-the-certificates": good.user_number,
    }[how]
    # a certificate from the pinned CA whose serialNumber says the same (only a CA could do that);
    # for the last case a genuine certificate of another user number
    ident = make_identity("49032852822010") if how == "not-the-certificates" else make_identity(number)
    crafted = dataclasses.replace(contents(ident), entry={"kind": "system"})
    meta = dataclasses.replace(metadata(ident), user_number=number, kind="system")
    file = write(tmp_path / "crafted.zcbackup", crafted, meta)
    outside = [victim, Path("/x"), core.paths.data_dir.parent / "x", core.paths.files_dir.parent / "x"]
    before = tree(core.paths.data_dir, *outside)
    error = refused(core, file, "user-number", "auto")
    assert "geen geldig gebruikersnummer" in t(error.key, "nl")
    assert tree(core.paths.data_dir, *outside) == before
    assert oct(victim.stat().st_mode & 0o777) == oct(0o755) and sorted(p.name for p in victim.iterdir()) == ["key.pem"]
    if how != "not-the-certificates":  # shown before the passphrase is asked: refused there already
        with pytest.raises(RestoreRefused):
            fileinfo.inspect_backup(file)
        with pytest.raises(RestoreRefused) as before_kdf:  # not even a passphrase is tried on it
            restore.restore_backup(core, file, "not the passphrase", store="auto")
        assert before_kdf.value.code == "user-number"


def test_what_the_file_says_about_itself_is_shown_without_control_characters(tmp_path: Path) -> None:
    ident = make_identity()
    meta = dataclasses.replace(metadata(ident), name="Anna\x1b]0;pwned\x07 de\u202e Vries\n",
                               organisation="Praktijk\rDe Linde")
    file = write(tmp_path / "anna.zcbackup", contents(ident), meta)
    info = fileinfo.inspect_backup(file)
    assert info.name == "Anna]0;pwned de Vries" and info.organisation == "PraktijkDe Linde"
