"""NssStore against real NSS databases (certutil/pk12util from libnss3-tools), and the runner it uses."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from keystore import _run
from keystore.base import StoreError
from keystore.nss import NssStore, discover, key_id
from tests.keystore.identities import authority, make_identity, renewed

pytestmark = pytest.mark.skipif(_run.which("certutil") is None or _run.which("pk12util") is None,
                                reason="certutil/pk12util missing: install libnss3-tools")


def certutil(*args: str, db: Path) -> str:
    result = subprocess.run(["certutil", *args, "-d", f"sql:{db}", "-f", "/dev/null"],
                            capture_output=True, check=False)
    return result.stdout.decode() + result.stderr.decode()


def new_db(path: Path, password: str | None = None) -> Path:
    path.mkdir(parents=True)
    if password is None:
        subprocess.run(["certutil", "-N", "-d", f"sql:{path}", "--empty-password"], check=True)
    else:
        (path.parent / "pw.txt").write_text(password)  # a test database's password, not a secret
        subprocess.run(["certutil", "-N", "-d", f"sql:{path}", "-f", str(path.parent / "pw.txt")], check=True)
    return path


def labels(db: Path) -> list[tuple[str, str]]:
    """(nickname, trust) of every line of ``certutil -L``."""
    rows = []
    for line in certutil("-L", db=db).splitlines()[3:]:
        match = re.match(r"^(.*?)\s+(\S*,\S*,\S*)\s*$", line)
        if match:
            rows.append((match[1].strip(), match[2]))
    return rows


def key_ids(db: Path) -> list[str]:
    return re.findall(r"^<\s*\d+>\s+\S+\s+([0-9a-f]+)", certutil("-K", db=db), re.M)


def kid(identity: Any) -> str:
    """The key id NSS gives this identity's key, as certutil -K prints it."""
    value = key_id(identity.cert_der)
    assert value is not None
    return value.hex()


def external_import(identity: Any, db: Path) -> None:
    """Import a PKCS#12 the way a user or Firefox would: plain pk12util, no ZorgCert care."""
    pw = db.parent / "p12pw.txt"
    pfx = db.parent / "id.p12"
    pw.write_text(identity.pfx_password)
    pfx.write_bytes(identity.pfx)
    try:
        subprocess.run(["pk12util", "-i", str(pfx), "-d", f"sql:{db}", "-w", str(pw), "-K", ""],
                       check=True, capture_output=True)
    finally:
        pw.unlink()
        pfx.unlink()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return new_db(tmp_path / "nssdb")


@pytest.fixture
def store(db: Path) -> NssStore:
    return NssStore(db, label="test")


# --- discovery -------------------------------------------------------------------------------


def test_discovery_finds_chromium_and_every_firefox_profile(tmp_path: Path) -> None:
    home = tmp_path / "home"
    new_db(home / ".pki" / "nssdb")
    firefox = home / ".mozilla" / "firefox"
    new_db(firefox / "abcd1234.default-release")
    elsewhere = new_db(tmp_path / "elsewhere" / "work-profile")
    (firefox / "empty.unused").mkdir()  # a profile without cert9.db: not a store
    (firefox / "profiles.ini").write_text(
        "[Install4F96D1932A9F858E]\nDefault=abcd1234.default-release\nLocked=1\n\n"
        "[Profile1]\nName=work\nIsRelative=0\nPath=" + str(elsewhere) + "\n\n"
        "[Profile0]\nName=default-release\nIsRelative=1\nPath=abcd1234.default-release\nDefault=1\n\n"
        "[Profile2]\nName=unused\nIsRelative=1\nPath=empty.unused\n\n"
        "[General]\nStartWithLastProfile=1\nVersion=2\n"
    )
    snap = home / "snap" / "firefox" / "common" / ".mozilla" / "firefox"
    new_db(snap / "xyz.default")
    (snap / "profiles.ini").write_text("[Profile0]\nName=default\nIsRelative=1\nPath=xyz.default\n")

    stores = discover(home)

    assert [(s.label, s.location) for s in stores] == [
        ("Chromium", f"sql:{home / '.pki' / 'nssdb'}"),
        ("Firefox (work)", f"sql:{elsewhere}"),
        ("Firefox (default-release)", f"sql:{firefox / 'abcd1234.default-release'}"),
        ("Firefox snap (default)", f"sql:{snap / 'xyz.default'}"),
    ]
    assert all(s.available().ok for s in stores)


def test_chromium_database_is_created_on_first_install(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (chromium,) = discover(home)
    assert chromium.available().ok
    assert chromium.find(make_identity().fingerprint) is None and chromium.list_ours() == []
    anna = make_identity()
    chromium.install(anna)
    assert (home / ".pki" / "nssdb" / "cert9.db").is_file()
    assert (home / ".pki" / "nssdb").stat().st_mode & 0o777 == 0o700
    assert chromium.find(anna.fingerprint) is not None


def test_missing_database_without_create_is_unavailable(tmp_path: Path) -> None:
    availability = NssStore(tmp_path / "nothing", label="Firefox (gone)").available()
    assert not availability.ok and "cert9.db" in availability.detail and availability.fix


def test_missing_certutil_is_reported_with_a_fix(store: NssStore, monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    availability = store.available()
    assert availability.ok is False
    assert "certutil" in availability.detail and "libnss3-tools" in (availability.fix or "")
    with pytest.raises(StoreError) as caught:
        store.install(make_identity())
    assert caught.value.reason == "tool-missing" and "libnss3-tools" in (caught.value.fix or "")


# --- same subject: what NSS does, and that the store copes -------------------------------


def test_nss_files_a_same_subject_import_under_the_existing_nickname(store: NssStore, db: Path) -> None:
    """The pitfall itself, so that a change in NSS shows up here first."""
    old = make_identity()
    new = renewed(old)
    external_import(old, db)
    external_import(new, db)
    leaves = [name for name, _ in labels(db) if name.startswith("ZorgCert 4903")]
    assert leaves == [old.nickname, old.nickname]  # the new one's friendlyName was ignored


@pytest.mark.parametrize("same_key", [False, True], ids=["new-key", "same-key"])
def test_install_gives_a_renewal_its_own_nickname(store: NssStore, db: Path, same_key: bool) -> None:
    old = make_identity(key_type="rsa")
    new = renewed(old, same_key=same_key)
    store.install(old)
    store.install(new)
    assert sorted(n for n, _ in labels(db) if n.startswith("ZorgCert 4903")) == sorted([old.nickname, new.nickname])
    assert sorted(key_ids(db)) == sorted({kid(old), kid(new)})


@pytest.mark.parametrize("same_key", [False, True], ids=["new-key", "same-key"])
def test_renewal_then_removal_leaves_exactly_one_key(store: NssStore, db: Path, same_key: bool) -> None:
    old = make_identity()
    new = renewed(old, same_key=same_key)
    old_ref = store.install(old)
    store.install(new)
    store.remove(old_ref)
    assert key_ids(db) == [kid(new)]
    assert [n for n, _ in labels(db) if n.startswith("ZorgCert 4903")] == [new.nickname]
    assert [r.fingerprint for r in store.list_ours()] == [new.fingerprint]


@pytest.mark.parametrize("same_key", [False, True], ids=["new-key", "same-key"])
@pytest.mark.parametrize("order", ["remove-old", "remove-new"])
def test_external_import_under_a_shared_nickname_is_handled(store: NssStore, db: Path, same_key: bool,
                                                            order: str) -> None:
    """A renewal imported by hand sits under the old nickname; each certificate stays addressable."""
    old = make_identity()
    new = renewed(old, same_key=same_key)
    store.install(old)
    external_import(new, db)
    refs = {r.fingerprint: r for r in store.list_ours()}
    assert set(refs) == {old.fingerprint, new.fingerprint}
    assert {r.nickname for r in refs.values()} == {old.nickname}  # one StoreRef per certificate
    assert store.find(old.fingerprint) and store.find(new.fingerprint)

    gone, kept = (old, new) if order == "remove-old" else (new, old)
    store.remove(refs[gone.fingerprint])

    assert store.find(gone.fingerprint) is None
    assert store.find(kept.fingerprint) is not None
    assert [r.fingerprint for r in store.list_ours()] == [kept.fingerprint]
    assert key_ids(db) == [kid(kept)]
    store.remove(refs[gone.fingerprint])  # again: nothing left to do
    assert store.find(kept.fingerprint) is not None


def test_a_foreign_certificate_is_not_ours_and_survives(store: NssStore, db: Path, tmp_path: Path) -> None:
    anna = make_identity()
    stranger = make_identity("11111111111111", "Someone Else")
    pem = tmp_path / "stranger.der"
    pem.write_bytes(stranger.cert_der)
    subprocess.run(["certutil", "-A", "-n", "Someone Else's UZI pass", "-t", ",,", "-i", str(pem),
                    "-d", f"sql:{db}"], check=True)
    ref = store.install(anna)
    assert store.list_ours() == [ref]
    store.remove(ref)
    assert "Someone Else's UZI pass" in [n for n, _ in labels(db)]


def test_our_certificate_imported_by_hand_gets_our_nickname(store: NssStore, db: Path, tmp_path: Path) -> None:
    anna = make_identity()
    (tmp_path / "anna.der").write_bytes(anna.cert_der)
    subprocess.run(["certutil", "-A", "-n", "Anna (imported by hand)", "-t", ",,", "-i", str(tmp_path / "anna.der"),
                    "-d", f"sql:{db}"], check=True)
    ref = store.install(anna)
    assert ref.nickname == anna.nickname
    assert [n for n, _ in labels(db) if "Anna" in n or n.startswith("ZorgCert 4903")] == [anna.nickname]
    assert store.list_ours() == [ref]


def test_key_ids_are_what_nss_assigns(store: NssStore, db: Path) -> None:
    for key_type in ("rsa", "ec"):
        identity = make_identity(key_type=key_type)
        store.install(identity)
        assert kid(identity) in key_ids(db)


# --- trust ------------------------------------------------------------------------------------


def _trust_of_root(db: Path) -> str | None:
    root = authority().root_der
    for name, trust in labels(db):
        out = subprocess.run(["certutil", "-L", "-n", name, "-r", "-d", f"sql:{db}"], capture_output=True)
        if out.stdout.startswith(root) or root in out.stdout:
            return trust
    return None


def test_install_never_makes_a_ca_trusted_for_websites(store: NssStore, db: Path) -> None:
    """A client-certificate wallet must never add website (server-auth) trust: the chain comes in as ``,,``."""
    store.install(make_identity())
    assert _trust_of_root(db) == ",,"  # the PKCS#12 brought the root without trust
    assert all("C" not in trust.split(",")[0] and "T" not in trust.split(",")[0] for _, trust in labels(db))
    assert not hasattr(store, "trust_ca")


def _foreign_ca(db: Path, tmp: Path, trust: str) -> bytes:
    """A CA the user trusted by hand (not ours): another authority's root."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    from tests.keystore.identities import _ca_cert, new_key

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Company Proxy Root")])
    key = new_key()
    cert = _ca_cert(name, key, name, key, 1)
    (tmp / "foreign.pem").write_bytes(cert.public_bytes(Encoding.PEM))
    subprocess.run(["certutil", "-A", "-n", "Company Proxy Root", "-t", trust, "-i", str(tmp / "foreign.pem"),
                    "-d", f"sql:{db}"], check=True)
    return cert.public_bytes(Encoding.DER)


def test_drop_website_trust_takes_c_off_the_issuer_root_and_leaves_a_foreign_ca(
    store: NssStore, db: Path, tmp_path: Path
) -> None:
    """An older ZorgCert left the issuer root at ``C,,``; the next run makes it ``,,``; the user's own CA stays."""
    ca = authority()
    store.install(make_identity())
    root_label = next(name for name, _ in labels(db) if name.startswith("ZorgCert Test Root"))
    subprocess.run(["certutil", "-M", "-n", root_label, "-t", "C,C,", "-d", f"sql:{db}"], check=True)
    foreign = _foreign_ca(db, tmp_path, "C,,")
    assert _trust_of_root(db) == "C,C,"

    changed = store.drop_website_trust([ca.root_der, ca.issuing_der])
    assert changed == [root_label]
    assert _trust_of_root(db) == ",C,"  # website trust gone, the e-mail trust someone gave it stays
    assert dict(labels(db))["Company Proxy Root"] == "C,,"  # not ours: left alone
    assert store.drop_website_trust([ca.root_der, ca.issuing_der]) == []  # idempotent
    assert store.drop_website_trust([foreign]) == ["Company Proxy Root"]  # only what it is told is ours


# --- a database with a password ---------------------------------------------------------------


def test_password_protected_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db_password = "Primary-Password-7f3a"
    db = new_db(tmp_path / "locked", password=db_password)
    anna = make_identity()

    bare = NssStore(db, label="Firefox (locked)")
    availability = bare.available()
    assert not availability.ok and "password" in availability.detail and availability.fix
    with pytest.raises(StoreError) as caught:
        bare.install(anna)
    assert caught.value.reason == "unavailable"

    wrong = NssStore(db, label="Firefox (locked)", db_password=lambda: "guess")
    assert not wrong.available().ok and "wrong" in wrong.available().detail

    launched: list[list[str]] = []
    real_popen = subprocess.Popen

    class RecordingPopen(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, args: Any, *a: Any, **kw: Any) -> None:
            launched.append(list(args))
            super().__init__(args, *a, **kw)

    monkeypatch.setattr(subprocess, "Popen", RecordingPopen)
    asked: list[int] = []

    def ask() -> str:
        asked.append(1)
        return db_password

    store = NssStore(db, label="Firefox (locked)", db_password=ask)
    assert store.available().ok
    ref = store.install(anna)
    assert store.find(anna.fingerprint) == ref
    store.remove(ref)
    assert store.find(anna.fingerprint) is None
    assert len(asked) == 1  # asked once, then kept for this store
    assert launched and not any(db_password in arg or anna.pfx_password in arg for argv in launched for arg in argv)


# --- the runner -------------------------------------------------------------------------------


def test_run_passes_a_large_secret_through_a_pipe() -> None:
    big = os.urandom(1 << 20)
    result = _run.run([sys.executable, "-c", "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())",
                       "{secret:big}"], secrets={"big": big}, store="test")
    assert result.stdout == big
    assert result.args[-1].startswith("/dev/fd/")


def test_run_survives_a_child_that_never_reads_its_secret() -> None:
    result = _run.run([sys.executable, "-c", "pass", "{secret:big}"], secrets={"big": b"x" * (1 << 20)},
                      store="test", timeout=20)
    assert result.returncode == 0


def test_run_gives_a_file_placeholder_a_seekable_file() -> None:
    code = "import os, sys; f = open(sys.argv[1], 'rb'); print(os.fstat(f.fileno()).st_size, f.read().decode())"
    result = _run.run([sys.executable, "-c", code, "{file:data}"], files={"data": b"hello"}, store="test")
    assert result.stdout.split() == [b"5", b"hello"]


def test_run_file_fallback_without_memfd_leaves_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delattr(os, "memfd_create")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    code = "import os, sys; st = os.stat(sys.argv[1]); print(oct(st.st_mode & 0o777), open(sys.argv[1]).read())"
    result = _run.run([sys.executable, "-c", code, "{file:data}"], files={"data": b"hello"}, store="test")
    assert result.stdout.split() == [b"0o600", b"hello"]
    assert list(tmp_path.iterdir()) == []


def test_run_reports_failure_without_the_secret() -> None:
    code = "import sys; sys.stderr.write('bad: ' + open(sys.argv[1]).read()); sys.exit(3)"
    with pytest.raises(StoreError) as caught:
        _run.run([sys.executable, "-c", code, "{secret:pw}"], secrets={"pw": b"hunter2-secret"}, store="test")
    error = caught.value
    assert error.reason == "tool-failed" and "exited 3" in error.detail and "bad:" in error.detail
    assert "hunter2-secret" not in error.detail and "hunter2-secret" not in str(error)


def test_run_reports_a_missing_tool_and_a_timeout() -> None:
    with pytest.raises(StoreError) as caught:
        _run.run(["certutil-that-does-not-exist"], store="nss")
    assert caught.value.reason == "tool-missing" and caught.value.fix
    with pytest.raises(StoreError) as caught:
        _run.run([sys.executable, "-c", "import time; time.sleep(30)"], store="test", timeout=0.5)
    assert caught.value.reason == "tool-failed" and "did not finish" in caught.value.detail
