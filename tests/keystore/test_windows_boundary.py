"""WindowsStore logic against a mock of the OS boundary.

These are mocks of the OS boundary: Windows CryptoAPI (crypt32/advapi32/ncrypt) cannot run on
this Linux machine, so ``FakeCrypt32`` implements the ``Crypt32Api`` interface in memory - a My
store keyed by SHA-1, key containers, friendly names, NULL plus last-error for a wrong password,
deletions that stick only after a commit. What it proves is the store logic above that
interface (which certificate is filed, in which order things are deleted, that every context,
store and key handle is released); it proves nothing about crypt32 itself. The fake has two
modes: "windows" (a fresh key container per import, CA certificates without a key) and "wine"
(Wine's crypt32 files every import in the same default container and gives CA certificates
from the PKCS#12 the key too, and it ignores CRYPT_ACQUIRE_COMPARE_KEY_FLAG).

The ctypes structure layouts are checked for real: on 64-bit they must match x64 Windows.
"""

from __future__ import annotations

import ctypes
import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from keystore import der, windows
from keystore.base import Availability, Identity, StoreError, StoreRef
from keystore.windows import crypt32
from keystore.windows.crypt32 import (
    CERT_FRIENDLY_NAME_PROP_ID,
    CERT_HASH_PROP_ID,
    CERT_KEY_PROV_INFO_PROP_ID,
    CERT_STORE_ADD_REPLACE_EXISTING,
    CRYPT_EXPORTABLE,
    CRYPT_MACHINE_KEYSET,
    CRYPT_USER_KEYSET,
    PKCS12_NO_PERSIST_KEY,
    Crypt32Error,
    KeyProvInfo,
)
from keystore.windows.store import WindowsStore
from tests.keystore.boundary_identities import CaPair, make_ca, make_identity, renew_through
from tests.keystore.test_contract import skip_reason


# --- test identities ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ca() -> CaPair:
    return make_ca()


def spki(der: bytes) -> bytes:
    return x509.load_der_x509_certificate(der).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


# --- the fake ------------------------------------------------------------------------------
@dataclass
class FakeCert:
    der: bytes
    props: dict[int, Any] = field(default_factory=dict)

    @property
    def sha1(self) -> bytes:
        return hashlib.sha1(self.der).digest()


class FakeStore:
    def __init__(self, certs: dict[bytes, FakeCert], name: str):
        self.certs = certs  # shared with the persisted store for My; private for a PFX memory store
        self.name = name
        self.pending_deletes: set[bytes] = set()

    def visible(self) -> list[FakeCert]:
        return [cert for sha1, cert in self.certs.items() if sha1 not in self.pending_deletes]


@dataclass(eq=False)
class FakeCtx:
    store: FakeStore
    cert: FakeCert


class FakeCrypt32:
    """Crypt32Api in memory; records the calls that change something."""

    def __init__(self, mode: str = "windows"):
        self.mode = mode
        self.my: dict[str, dict[bytes, FakeCert]] = {"CurrentUser": {}, "LocalMachine": {}}
        self.containers: dict[str, bytes] = {}  # container name -> SubjectPublicKeyInfo of its key
        self.calls: list[tuple[Any, ...]] = []
        self.import_flags: list[int] = []
        self.open_contexts: set[int] = set()
        self.open_stores: set[int] = set()
        self.open_keys: set[int] = set()
        self.drop_key_on_add = False

    # bookkeeping
    def _ctx(self, store: FakeStore, cert: FakeCert) -> FakeCtx:
        ctx = FakeCtx(store, cert)
        self.open_contexts.add(id(ctx))
        return ctx

    def _use(self, ctx: FakeCtx) -> FakeCert:
        assert id(ctx) in self.open_contexts, "context used after it was freed or consumed"
        return ctx.cert

    def _store(self, store: FakeStore) -> FakeStore:
        assert id(store) in self.open_stores, "store used after it was closed"
        return store

    # Crypt32Api
    def is_pfx(self, pfx: bytes) -> bool:
        return pfx[:1] == b"\x30"

    def pfx_import(self, pfx: bytes, password: str, flags: int) -> FakeStore:
        self.import_flags.append(flags)
        self.calls.append(("pfx_import",))
        try:
            key, leaf, cas = pkcs12.load_key_and_certificates(pfx, password.encode())
        except ValueError:
            raise Crypt32Error("PFXImportCertStore", 0 if self.mode == "wine" else 0x56) from None
        assert key is not None and leaf is not None
        leaf_der = leaf.public_bytes(serialization.Encoding.DER)
        container = "wineuser" if self.mode == "wine" else f"{{{uuid.uuid4()}}}"
        self.containers[container] = spki(leaf_der)  # PFXImportCertStore persists the key at once
        info = KeyProvInfo(container, "Microsoft Enhanced Cryptographic Provider v1.0", 1,
                           flags & CRYPT_MACHINE_KEYSET, 1)
        temp = FakeStore({}, "memory")
        for ca in cas:  # CA certificates first: the store must pick the leaf, not the first one
            cert = FakeCert(ca.public_bytes(serialization.Encoding.DER))
            if self.mode == "wine":
                cert.props[CERT_KEY_PROV_INFO_PROP_ID] = info
            temp.certs[cert.sha1] = cert
        cert = FakeCert(leaf_der, {CERT_KEY_PROV_INFO_PROP_ID: info})
        temp.certs[cert.sha1] = cert
        self.open_stores.add(id(temp))
        return temp

    def open_system_store(self, scope: str, name: str) -> FakeStore:
        assert name == "MY"
        store = FakeStore(self.my[scope], f"{scope}\\My")
        self.open_stores.add(id(store))
        return store

    def enum_certificates(self, store: FakeStore) -> list[FakeCtx]:
        return [self._ctx(store, cert) for cert in self._store(store).visible()]

    def cert_der(self, ctx: FakeCtx) -> bytes:
        return self._use(ctx).der

    def get_property(self, ctx: FakeCtx, prop_id: int) -> bytes | None:
        cert = self._use(ctx)
        if prop_id == CERT_HASH_PROP_ID:
            return cert.sha1
        value = cert.props.get(prop_id)
        return value if isinstance(value, bytes) else None

    def key_prov_info(self, ctx: FakeCtx) -> KeyProvInfo | None:
        return self._use(ctx).props.get(CERT_KEY_PROV_INFO_PROP_ID)

    def set_friendly_name(self, ctx: FakeCtx, name: str) -> None:
        self._use(ctx).props[CERT_FRIENDLY_NAME_PROP_ID] = name.encode("utf-16-le") + b"\x00\x00"
        self.calls.append(("set_friendly_name", name))

    def add_certificate(self, store: FakeStore, ctx: FakeCtx, disposition: int) -> None:
        assert disposition == CERT_STORE_ADD_REPLACE_EXISTING
        cert = self._use(ctx)
        copy = FakeCert(cert.der, dict(cert.props))
        if self.drop_key_on_add:
            copy.props.pop(CERT_KEY_PROV_INFO_PROP_ID, None)
        self._store(store).certs[copy.sha1] = copy
        store.pending_deletes.discard(copy.sha1)
        self.calls.append(("add_certificate", store.name, copy.sha1))

    def find_by_sha1(self, store: FakeStore, sha1: bytes) -> FakeCtx | None:
        for cert in self._store(store).visible():
            if cert.sha1 == sha1:
                return self._ctx(store, cert)
        return None

    def acquire_private_key(self, ctx: FakeCtx) -> tuple[int, int, bool]:
        cert = self._use(ctx)
        info = cert.props.get(CERT_KEY_PROV_INFO_PROP_ID)
        if info is None:
            raise Crypt32Error("CryptAcquireCertificatePrivateKey", 0x8009200B)  # CRYPT_E_NO_KEY_PROPERTY
        if info.container not in self.containers:
            raise Crypt32Error("CryptAcquireCertificatePrivateKey", 0x80090016)  # NTE_BAD_KEYSET
        if self.mode != "wine" and self.containers[info.container] != spki(cert.der):
            raise Crypt32Error("CryptAcquireCertificatePrivateKey", 0x80090016)  # COMPARE_KEY
        handle = object()
        self.open_keys.add(id(handle))
        return id(handle), 1, True

    def release_private_key(self, handle: int, key_spec: int, must_free: bool) -> None:
        assert must_free
        self.open_keys.remove(handle)

    def delete_certificate(self, ctx: FakeCtx) -> None:
        cert = self._use(ctx)
        self.open_contexts.remove(id(ctx))  # consumed, as CertDeleteCertificateFromStore does
        self._store(ctx.store).pending_deletes.add(cert.sha1)
        self.calls.append(("delete_certificate", cert.sha1))

    def delete_key_container(self, info: KeyProvInfo, machine: bool) -> bool:
        self.calls.append(("delete_key_container", info.container, machine))
        return self.containers.pop(info.container, None) is not None

    def commit(self, store: FakeStore) -> None:
        for sha1 in self._store(store).pending_deletes:
            store.certs.pop(sha1, None)
        store.pending_deletes.clear()
        self.calls.append(("commit", store.name))

    def close_store(self, store: FakeStore) -> None:
        self.open_stores.remove(id(store))
        store.pending_deletes.clear()  # uncommitted deletions are lost, as under Wine

    def free_certificate(self, ctx: FakeCtx) -> None:
        assert id(ctx) in self.open_contexts, "context freed twice"
        self.open_contexts.remove(id(ctx))

    # test helpers
    def put(self, der: bytes, name: str | None = None, scope: str = "CurrentUser") -> None:
        cert = FakeCert(der)
        if name is not None:
            cert.props[CERT_FRIENDLY_NAME_PROP_ID] = name.encode("utf-16-le") + b"\x00\x00"
        self.my[scope][cert.sha1] = cert

    def friendly_name(self, sha1: bytes, scope: str = "CurrentUser") -> str:
        return self.my[scope][sha1].props[CERT_FRIENDLY_NAME_PROP_ID][:-2].decode("utf-16-le")


@pytest.fixture(params=["windows", "wine"])
def fake(request: pytest.FixtureRequest):
    api = FakeCrypt32(request.param)
    yield api
    # every context, store and key handle the store logic took must be given back
    assert not api.open_contexts, "certificate contexts leaked"
    assert not api.open_stores, "stores left open"
    assert not api.open_keys, "private key handles leaked"


def sha1_of(identity: Identity) -> bytes:
    return bytes.fromhex(identity.sha1_thumbprint)


# --- on Linux, without crypt32 ---------------------------------------------------------------
def test_module_imports_on_linux_and_says_it_is_unavailable():
    store = WindowsStore()
    assert store.name == "windows"
    assert store.location == "CurrentUser\\My"
    assert store.available().ok is False
    assert store.available().detail == "only on Windows"


def test_store_without_crypt32_raises_unavailable(ca):
    with pytest.raises(StoreError) as caught:
        WindowsStore().install(make_identity(ca))
    assert caught.value.reason == "unavailable"


def test_contract_skip_reason_says_a_fix_only_when_there_is_one():
    unavailable = WindowsStore().available()  # on Linux: not ok, and no fix to offer
    assert not unavailable.ok and unavailable.fix is None
    assert skip_reason("windows", unavailable, "it runs under Wine") == (
        "windows store not available here: only on Windows; it runs under Wine")
    assert skip_reason("nss", Availability(False, "certutil is missing", "install libnss3-tools")) == (
        "nss store not available here: certutil is missing (fix: install libnss3-tools)")


def test_ctypes_wrapper_refuses_to_load_on_linux():
    with pytest.raises(OSError):
        crypt32.CtypesCrypt32()


def test_unknown_scope_is_refused():
    with pytest.raises(ValueError):
        WindowsStore("CurrentUsr")


@pytest.mark.skipif(ctypes.sizeof(ctypes.c_void_p) != 8, reason="layouts checked against x64 Windows")
def test_structure_layouts_match_x64_windows():
    assert ctypes.sizeof(crypt32.CRYPT_DATA_BLOB) == 16
    assert crypt32.CRYPT_DATA_BLOB.pbData.offset == 8
    assert ctypes.sizeof(crypt32.CERT_CONTEXT) == 40
    assert [getattr(crypt32.CERT_CONTEXT, name).offset for name in
            ("dwCertEncodingType", "pbCertEncoded", "cbCertEncoded", "pCertInfo", "hCertStore")] == [0, 8, 16, 24, 32]
    assert ctypes.sizeof(crypt32.CRYPT_KEY_PROV_INFO) == 48
    assert [getattr(crypt32.CRYPT_KEY_PROV_INFO, name).offset for name in
            ("pwszContainerName", "pwszProvName", "dwProvType", "dwFlags", "cProvParam", "rgProvParam",
             "dwKeySpec")] == [0, 8, 16, 20, 24, 32, 40]
    assert ctypes.sizeof(crypt32.CRYPT_KEY_PROV_PARAM) == 24
    assert ctypes.sizeof(crypt32.DWORD) == 4 and ctypes.sizeof(crypt32.BOOL) == 4


def test_win32_constants_are_the_documented_values():
    assert (crypt32.CERT_STORE_PROV_SYSTEM_W, crypt32.CERT_SYSTEM_STORE_CURRENT_USER,
            crypt32.CERT_SYSTEM_STORE_LOCAL_MACHINE) == (10, 0x10000, 0x20000)
    assert (CRYPT_USER_KEYSET, CRYPT_MACHINE_KEYSET, CRYPT_EXPORTABLE, PKCS12_NO_PERSIST_KEY) == (
        0x1000, 0x20, 0x1, 0x8000)
    assert (CERT_KEY_PROV_INFO_PROP_ID, CERT_HASH_PROP_ID, CERT_FRIENDLY_NAME_PROP_ID) == (2, 3, 11)
    # COMMIT is 3 (4 is AUTO_RESYNC: Wine's crypt32 showed that commits with 4 never reached the registry)
    assert (CERT_STORE_ADD_REPLACE_EXISTING, crypt32.CERT_FIND_HASH, crypt32.CERT_STORE_CTRL_COMMIT) == (
        3, 0x10000, 3)
    assert crypt32.CERT_ENCODING == 0x10001
    assert (crypt32.CRYPT_DELETEKEYSET, crypt32.ERROR_INVALID_PASSWORD) == (0x10, 0x56)


# --- store logic against the fake --------------------------------------------------------------
def test_install_files_the_leaf_not_the_ca_under_its_nickname(fake, ca):
    identity = make_identity(ca)
    ref = WindowsStore(api=fake).install(identity)

    assert ref == StoreRef("windows", "CurrentUser\\My", identity.nickname, identity.fingerprint)
    assert list(fake.my["CurrentUser"]) == [sha1_of(identity)]  # the CA from the PKCS#12 is not in My
    assert fake.friendly_name(sha1_of(identity)) == identity.nickname
    info = fake.my["CurrentUser"][sha1_of(identity)].props[CERT_KEY_PROV_INFO_PROP_ID]
    assert set(fake.containers) == {info.container}  # no key left behind for the CA certificate
    assert fake.import_flags == [CRYPT_USER_KEYSET]  # persisted, not exportable
    assert WindowsStore(api=fake).find(identity.fingerprint) == ref


def test_install_is_idempotent(fake, ca):
    identity = make_identity(ca)
    store = WindowsStore(api=fake)
    first = store.install(identity)
    second = store.install(identity)

    assert first == second
    assert list(fake.my["CurrentUser"]) == [sha1_of(identity)]
    assert [call for call in fake.calls if call[0] == "pfx_import"] == [("pfx_import",)]
    assert len(fake.containers) == 1


def test_install_renames_an_entry_that_has_its_key_but_another_name(fake, ca):
    identity = make_identity(ca)
    store = WindowsStore(api=fake)
    store.install(identity)
    fake.my["CurrentUser"][sha1_of(identity)].props[CERT_FRIENDLY_NAME_PROP_ID] = "Anna".encode("utf-16-le")

    assert store.install(identity).nickname == identity.nickname
    assert fake.friendly_name(sha1_of(identity)) == identity.nickname
    assert [call for call in fake.calls if call[0] == "pfx_import"] == [("pfx_import",)]


def test_install_replaces_an_entry_without_its_key(fake, ca):
    identity = make_identity(ca)
    fake.put(identity.cert_der, "Imported by hand")  # certificate only, e.g. from a .cer file
    ref = WindowsStore(api=fake).install(identity)

    assert WindowsStore(api=fake).find(identity.fingerprint) == ref
    assert fake.friendly_name(sha1_of(identity)) == identity.nickname


def test_machine_scope_and_exportable_flags(fake, ca):
    identity = make_identity(ca)
    store = WindowsStore("LocalMachine", exportable=True, api=fake)
    ref = store.install(identity)

    assert ref.location == "LocalMachine\\My"
    assert fake.import_flags == [CRYPT_MACHINE_KEYSET | CRYPT_EXPORTABLE]
    assert not fake.my["CurrentUser"] and list(fake.my["LocalMachine"]) == [sha1_of(identity)]
    store.remove(ref)
    assert [call[2] for call in fake.calls if call[0] == "delete_key_container"] == [True]


def test_read_back_failure_is_reported_and_rolled_back(fake, ca):
    identity = make_identity(ca)
    fake.drop_key_on_add = True  # My ends up with the certificate but without its key
    with pytest.raises(StoreError) as caught:
        WindowsStore(api=fake).install(identity)

    assert caught.value.reason == "read-back"
    assert identity.nickname in caught.value.detail
    assert fake.my["CurrentUser"] == {}  # nothing half-installed stays behind
    assert fake.containers == {}


@pytest.mark.parametrize("mode", ["windows", "wine"])
def test_wrong_password_and_corrupt_data(mode, ca):
    fake = FakeCrypt32(mode)
    identity = make_identity(ca)
    wrong = Identity(identity.user_number, identity.cert_der, identity.chain_der, identity.pfx, "not-it")
    with pytest.raises(StoreError) as caught:
        WindowsStore(api=fake).install(wrong)
    assert caught.value.reason == "wrong-password" and caught.value.fix
    assert "not-it" not in str(caught.value)

    for damaged in (b"GIF89a not a pfx", identity.pfx[: len(identity.pfx) // 2]):
        garbage = Identity(identity.user_number, identity.cert_der, (), damaged, identity.pfx_password)
        with pytest.raises(StoreError) as caught:
            WindowsStore(api=fake).install(garbage)
        assert caught.value.reason == "corrupt" and caught.value.fix
    assert fake.my["CurrentUser"] == {} and not fake.open_stores and not fake.open_contexts


def test_pfx_shape_check():
    assert der.pfx_shape_ok(bytes.fromhex("3006020103300100"))
    assert not der.pfx_shape_ok(bytes.fromhex("3007020103300100"))  # one byte missing
    assert not der.pfx_shape_ok(bytes.fromhex("3006020102300100"))  # version 2
    assert not der.pfx_shape_ok(b"\x30\x80")


def test_pkcs12_without_this_certificate_is_corrupt(fake, ca):
    identity = make_identity(ca)
    other = make_identity(ca, "100002")
    mixed = Identity(identity.user_number, identity.cert_der, identity.chain_der, other.pfx, other.pfx_password)
    with pytest.raises(StoreError) as caught:
        WindowsStore(api=fake).install(mixed)

    assert caught.value.reason == "corrupt"
    assert fake.my["CurrentUser"] == {}
    assert fake.containers == {}  # the key the import persisted is deleted again


def test_remove_deletes_key_then_certificate_then_commits(fake, ca):
    identity = make_identity(ca)
    store = WindowsStore(api=fake)
    ref = store.install(identity)
    container = fake.my["CurrentUser"][sha1_of(identity)].props[CERT_KEY_PROV_INFO_PROP_ID].container
    fake.calls.clear()

    store.remove(ref)

    assert fake.calls == [
        ("delete_key_container", container, False),
        ("delete_certificate", sha1_of(identity)),
        ("commit", "CurrentUser\\My"),
    ]
    assert fake.my["CurrentUser"] == {}
    assert container not in fake.containers
    assert store.find(identity.fingerprint) is None


def test_remove_is_idempotent(fake, ca):
    identity = make_identity(ca)
    store = WindowsStore(api=fake)
    ref = store.install(identity)
    store.remove(ref)
    fake.calls.clear()

    store.remove(ref)
    store.remove(StoreRef("windows", "CurrentUser\\My", "ZorgCert 1 0", "00" * 32))
    assert fake.calls == []


def test_remove_reports_a_certificate_that_will_not_go(fake, ca, monkeypatch):
    identity = make_identity(ca)
    store = WindowsStore(api=fake)
    ref = store.install(identity)
    monkeypatch.setattr(fake, "commit", lambda _store: None)  # a commit that silently does nothing
    with pytest.raises(StoreError) as caught:
        store.remove(ref)
    assert caught.value.reason == "read-back"


def test_list_ours_filters_by_prefix(fake, ca):
    ours = make_identity(ca)
    store = WindowsStore(api=fake)
    ref = store.install(ours)
    fake.put(make_identity(ca, "100002").cert_der, "Outlook S/MIME")
    fake.put(make_identity(ca, "100003").cert_der)  # no friendly name at all
    fake.put(make_identity(ca, "100004").cert_der, "zorgcert lower case is not ours")

    assert store.list_ours() == [ref]


def test_list_ours_includes_an_entry_whose_key_is_gone(fake, ca):
    identity = make_identity(ca)
    store = WindowsStore(api=fake)
    ref = store.install(identity)
    fake.containers.clear()

    assert store.find(identity.fingerprint) is None  # find wants the key ...
    assert store.list_ours() == [ref]  # ... list_ours shows it so that it can be removed
    store.remove(ref)
    assert store.list_ours() == []


def test_renewal_new_next_to_old_then_old_removed_keeps_the_new(fake, ca):
    store = WindowsStore(api=fake)
    old = make_identity(ca)
    new = make_identity(ca)  # same holder, new key and certificate
    old_ref = store.install(old)
    new_ref = store.install(new)
    assert sorted(ref.fingerprint for ref in store.list_ours()) == sorted([old.fingerprint, new.fingerprint])

    store.remove(old_ref)

    assert store.list_ours() == [new_ref]
    assert store.find(new.fingerprint) == new_ref  # its key survived, also where Wine shares containers
    new_key = fake.my["CurrentUser"][sha1_of(new)].props[CERT_KEY_PROV_INFO_PROP_ID]
    assert new_key.container in fake.containers


def test_find_requires_the_key(fake, ca):
    identity = make_identity(ca)
    fake.put(identity.cert_der, identity.nickname)
    store = WindowsStore(api=fake)

    assert store.find(identity.fingerprint) is None
    assert store.find(identity.fingerprint.upper()) is None
    ref = store.install(identity)
    assert store.find(identity.fingerprint.upper()) == ref


def test_available_with_an_injected_api(fake):
    assert WindowsStore(api=fake).available().ok is True


# --- issue 11: the issuer's CA never becomes a trusted root --------------------------------------
# Mocked because Windows' crypt32 cannot run on this Linux machine (see the module docstring); the
# Wine run (test_windows_wine.py) uses the same code. PFXImportCertStore itself puts nothing in a
# system store (it returns a memory store); only what WindowsStore then adds lands anywhere.
@pytest.mark.parametrize("scope", ["CurrentUser", "LocalMachine"])
def test_the_issuer_ca_never_goes_to_the_root_store_only_the_leaf_to_my(fake, ca, scope):
    opened: list[str] = []
    added: list[bytes] = []
    real_open, real_add = fake.open_system_store, fake.add_certificate

    def open_system_store(scope_: str, name: str) -> Any:
        opened.append(name)
        return real_open(scope_, name)

    def add_certificate(store: Any, ctx: Any, disposition: int) -> None:
        added.append(ctx.cert.der)
        real_add(store, ctx, disposition)

    fake.open_system_store, fake.add_certificate = open_system_store, add_certificate
    store = WindowsStore(scope, api=fake)
    old, new = renew_through(store, ca)

    assert opened and set(opened) == {"MY"}  # never ROOT (trusted roots), AuthRoot or CA
    assert added == [old.cert_der, new.cert_der]  # the leaves only; the CA certificate is added nowhere
    ca_der = ca[1].public_bytes(serialization.Encoding.DER)
    assert all(ca_der not in (c.der for c in fake.my[s].values()) for s in fake.my)
    modules = sorted(Path(windows.__file__).parent.glob("*.py"))
    assert {m.name for m in modules} >= {"__init__.py", "crypt32.py", "store.py"}
    for module in modules:  # every module of the backend package
        source = module.read_text(encoding="utf-8")
        assert '"ROOT"' not in source.upper().replace("'", '"') and "AUTHROOT" not in source.upper(), module.name
