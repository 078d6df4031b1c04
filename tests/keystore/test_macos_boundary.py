"""MacKeychainStore logic against a mock of the OS boundary.

These are mocks of the OS boundary: the macOS Keychain and ``/usr/bin/security`` cannot run on
this Linux machine, so a fake runner stands in for ``keystore._run.run``. It records every argv
and every secret, keeps a small keychain in memory and answers in the formats of Apple's
``security`` sources (``find-certificate -Z -p``, ``find-identity``, ``dump-keychain``, whose
``print_buffer`` it imitates byte for byte). What it proves is the store's logic and parsing,
and that no password of the identity ever reaches argv; it proves nothing about macOS itself.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from keystore import macos
from keystore.base import Identity, StoreError, StoreRef
from keystore.macos import MacKeychainStore, parse_certificates, parse_identities, parse_key_labels
from tests.keystore.boundary_identities import CaPair, make_ca, make_identity, renew_through

KEYCHAIN = Path("/Users/anna/Library/Keychains/login.keychain-db")
SECURITY = "/usr/bin/security"
# pbeWithSHAAnd3-KeyTripleDES-CBC and PBES2, DER-encoded OIDs
OID_3DES_PBE = bytes.fromhex("060a2a864886f70d010c0103")
OID_PBES2 = bytes.fromhex("06092a864886f70d01050d")

# --- test identities ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ca() -> CaPair:
    return make_ca()


# --- a fake /usr/bin/security -------------------------------------------------------------------
def print_buffer(data: bytes) -> str:
    """Apple's print_buffer (keychain_utilities.c): hex if any byte is unprintable, then the ascii."""
    printable = [32 <= b <= 126 and b != 0x5C for b in data]
    ascii_text = "".join(chr(b) if ok else f"\\{b:03o}" for b, ok in zip(data, printable, strict=True))
    out = ""
    if not all(printable):
        out = "0x" + data.hex().upper() + " "
        out += " " if any(printable) else ""
    if any(printable):
        out += f'"{ascii_text}"'
    return out


class FakeSecurity:
    """``keystore._run.run`` for ``/usr/bin/security``, with a keychain in memory."""

    def __init__(self, keychain: Path = KEYCHAIN):
        self.keychain = str(keychain)
        self.certs: dict[str, bytes] = {}  # SHA-1 (upper hex) -> DER
        self.keys: dict[bytes, str] = {}  # public key SHA-1 -> label of the private key
        self.calls: list[list[str]] = []
        self.secrets: list[dict[str, bytes]] = []
        self.lose_key_on_import = False

    def __call__(self, argv: list[str], *, secrets: dict[str, bytes] | None = None, files: Any = None,
                 input: bytes | None = None, timeout: float = 60, store: str, check: bool = True,
                 ) -> subprocess.CompletedProcess[bytes]:
        assert store == "macos" and argv[0] == SECURITY
        self.calls.append(list(argv))
        self.secrets.append(dict(secrets or {}))
        command, *args = argv[1:]
        if command == "import":  # security import FILE -k KEYCHAIN ...
            assert args[args.index("-k") + 1] == self.keychain
        else:
            assert args[-1] == self.keychain, "every command names the keychain explicitly"
            args = args[:-1]
        output = getattr(self, "cmd_" + command.replace("-", "_"))(args, secrets or {})
        return subprocess.CompletedProcess(argv, 0, output.encode(), b"")

    def fail(self, message: str) -> StoreError:
        return StoreError("macos", "tool-failed", f"security exited 1: security: {message}")

    # commands
    def cmd_import(self, args: list[str], secrets: dict[str, bytes]) -> str:
        infile, *options = args
        name = re.fullmatch(r"\{secret:(\w+)\}", infile)
        assert name, "the PKCS#12 must arrive through a pipe"
        blob = secrets[name.group(1)]
        opts = dict(zip(options[::2], options[1::2], strict=False))
        assert (opts.get("-t"), opts.get("-f"), options[-1]) == ("agg", "pkcs12", "-x")
        assert len(blob) <= macos.PIPE_FILL_LIMIT
        assert OID_3DES_PBE in blob and OID_PBES2 not in blob, "Apple's decoder reads only PKCS#12 PBE"
        try:
            p12 = pkcs12.load_pkcs12(blob, opts["-P"].encode())
        except ValueError:
            raise self.fail("SecKeychainItemImport: MAC verification failed during PKCS12 import") from None
        assert p12.key is not None and p12.cert is not None
        leaf = p12.cert.certificate.public_bytes(serialization.Encoding.DER)
        for cert in [leaf, *(c.certificate.public_bytes(serialization.Encoding.DER) for c in p12.additional_certs)]:
            self.certs.setdefault(hashlib.sha1(cert).hexdigest().upper(), cert)
        if not self.lose_key_on_import:
            label = (p12.cert.friendly_name or b"Imported Private Key").decode()
            self.keys.setdefault(macos.public_key_hash(leaf), label)  # Apple: "ignoring dup private key"
        return "1 identity imported.\n2 certificates imported.\n"

    def cmd_find_certificate(self, args: list[str], secrets: dict[str, bytes]) -> str:
        assert args == ["-a", "-Z", "-p"]
        out = []
        for sha1, der in self.certs.items():
            pem = x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM).decode()
            out.append(f"SHA-256 hash: {hashlib.sha256(der).hexdigest().upper()}\nSHA-1 hash: {sha1}\n{pem}")
        return "".join(out)

    def identities(self) -> list[str]:
        return [sha1 for sha1, der in self.certs.items() if macos.public_key_hash(der) in self.keys]

    def cmd_find_identity(self, args: list[str], secrets: dict[str, bytes]) -> str:
        assert args == ["-p", "ssl-client"], "no -v: our private CA is not trusted"
        lines = ["", "Policy: SSL (client)", "  Matching identities"]
        for number, sha1 in enumerate(self.identities(), 1):
            cn = x509.load_der_x509_certificate(self.certs[sha1]).subject.rfc4514_string()
            lines.append(f'  {number:>2}) {sha1} "{cn.removeprefix("CN=")}" (CSSMERR_TP_NOT_TRUSTED)')
        lines += [f"     {len(self.identities())} identities found", "", "  Valid identities only",
                  "     0 valid identities found", ""]
        return "\n".join(lines)

    def cmd_dump_keychain(self, args: list[str], secrets: dict[str, bytes]) -> str:
        assert args == [], "attributes only: never -d, -r or -a"
        head = f'keychain: "{self.keychain}"\nversion: 512\n'
        records = [head + 'class: "genp"\nattributes:\n    "acct"<blob>="anna"\n    "svce"<blob>="Wi-Fi"\n']
        for der in self.certs.values():
            records.append(head + "class: 0x80001000 \nattributes:\n"
                           f'    "hpky"<blob>={print_buffer(macos.public_key_hash(der))}\n'
                           '    "labl"<blob>="Anna de Vries"\n')
        for key_hash, label in self.keys.items():
            records.append(head + "class: 0x00000010 \nattributes:\n"
                           "    0x00000000 <uint32>=0x00000010 \n"
                           f"    0x00000001 <blob>={print_buffer(label.encode())}\n"
                           "    0x00000002 <blob>=<NULL>\n"
                           f"    0x00000006 <blob>={print_buffer(key_hash)}\n"
                           "    0x00000007 <blob>=0x00000000 \n")
        return "".join(records)

    def _remove(self, args: list[str], with_key: bool) -> str:
        assert args[0] == "-Z" and re.fullmatch(r"[0-9A-F]{40}", args[1])
        der = self.certs.get(args[1])
        if der is None or (with_key and args[1] not in self.identities()):
            raise self.fail("unable to delete certificate matching \"" + args[1] + "\"")
        del self.certs[args[1]]
        if with_key:
            del self.keys[macos.public_key_hash(der)]
        return ""

    def cmd_delete_identity(self, args: list[str], secrets: dict[str, bytes]) -> str:
        return self._remove(args, with_key=True)

    def cmd_delete_certificate(self, args: list[str], secrets: dict[str, bytes]) -> str:
        return self._remove(args, with_key=False)

    # helpers
    def commands(self) -> list[str]:
        return [call[1] for call in self.calls]

    def add_foreign(self, ca: Any, label: str | None) -> str:
        """Somebody else's certificate, with a key labelled ``label`` (or none)."""
        identity = make_identity(ca, "999999")
        sha1 = identity.sha1_thumbprint
        self.certs[sha1] = identity.cert_der
        if label is not None:
            self.keys[macos.public_key_hash(identity.cert_der)] = label
        return sha1


@pytest.fixture
def fake() -> FakeSecurity:
    return FakeSecurity()


def store_with(fake: FakeSecurity) -> MacKeychainStore:
    return MacKeychainStore(KEYCHAIN, runner=fake)


# --- on Linux -----------------------------------------------------------------------------------
def test_module_imports_on_linux_and_says_it_is_unavailable():
    store = MacKeychainStore()
    assert store.name == "macos"
    assert store.location.endswith("Library/Keychains/login.keychain-db")
    assert store.available() == macos.Availability(False, "only on macOS", None)


# --- install ------------------------------------------------------------------------------------
def test_install_never_puts_the_password_in_argv_and_pipes_the_pkcs12(fake, ca):
    identity = make_identity(ca)
    ref = store_with(fake).install(identity)

    assert ref == StoreRef("macos", str(KEYCHAIN), identity.nickname, identity.fingerprint)
    for call in fake.calls:
        assert not any(identity.pfx_password in arg for arg in call)
    (index,) = [i for i, call in enumerate(fake.calls) if call[1] == "import"]
    argv, secrets = fake.calls[index], fake.secrets[index]
    assert argv[:9] == [SECURITY, "import", "{secret:p12}", "-k", str(KEYCHAIN), "-t", "agg", "-f", "pkcs12"]
    assert argv[9] == "-P" and argv[11:] == ["-x"]
    transport = argv[10]
    assert len(transport) >= 24 and transport.isascii()
    assert secrets["p12"] != identity.pfx  # re-wrapped, not the identity's own PKCS#12
    assert secrets["transport"] == transport.encode()  # handed over for scrubbing only, not referenced in argv
    assert fake.keys[macos.public_key_hash(identity.cert_der)] == identity.nickname  # friendlyName = key label
    assert set(fake.certs) == {identity.sha1_thumbprint, hashlib.sha1(identity.chain_der[0]).hexdigest().upper()}


def test_every_install_uses_a_fresh_transport_password(ca):
    transports = []
    for _ in range(2):
        fake = FakeSecurity()
        store_with(fake).install(make_identity(ca))
        transports += [call[10] for call in fake.calls if call[1] == "import"]
    assert len(set(transports)) == 2


def test_install_reads_back_with_find_identity(fake, ca):
    identity = make_identity(ca)
    store = store_with(fake)
    store.install(identity)

    assert fake.commands()[-3:] == ["find-certificate", "find-identity", "dump-keychain"]
    assert store.find(identity.fingerprint) == store.find(identity.fingerprint.upper())
    assert store.find(identity.fingerprint).nickname == identity.nickname


def test_install_is_idempotent(fake, ca):
    identity = make_identity(ca)
    store = store_with(fake)
    assert store.install(identity) == store.install(identity)
    assert fake.commands().count("import") == 1


def test_install_replaces_a_certificate_that_lacks_its_key(fake, ca):
    identity = make_identity(ca)
    fake.certs[identity.sha1_thumbprint] = identity.cert_der  # e.g. a .cer double-clicked earlier
    store_with(fake).install(identity)

    assert "delete-certificate" in fake.commands()
    assert store_with(fake).find(identity.fingerprint) is not None


def test_install_works_for_rsa_keys_too(fake, ca):
    identity = make_identity(ca, key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    assert store_with(fake).install(identity).nickname == identity.nickname


def test_read_back_failure_is_reported_and_undone(fake, ca):
    identity = make_identity(ca)
    fake.lose_key_on_import = True
    with pytest.raises(StoreError) as caught:
        store_with(fake).install(identity)

    assert caught.value.reason == "read-back"
    assert "private key" in caught.value.detail
    assert identity.sha1_thumbprint not in fake.certs  # the bare certificate was taken out again


def test_wrong_password_and_corrupt_data_never_reach_security(fake, ca):
    identity = make_identity(ca)
    wrong = Identity(identity.user_number, identity.cert_der, identity.chain_der, identity.pfx, "not-it")
    with pytest.raises(StoreError) as caught:
        store_with(fake).install(wrong)
    assert caught.value.reason == "wrong-password" and caught.value.fix

    for damaged in (b"GIF89a", identity.pfx[: len(identity.pfx) // 2]):
        garbage = Identity(identity.user_number, identity.cert_der, (), damaged, identity.pfx_password)
        with pytest.raises(StoreError) as caught:
            store_with(fake).install(garbage)
        assert caught.value.reason == "corrupt" and caught.value.fix
    assert "import" not in fake.commands()


def test_pkcs12_of_another_certificate_is_corrupt(fake, ca):
    identity, other = make_identity(ca), make_identity(ca, "100002")
    mixed = Identity(identity.user_number, identity.cert_der, identity.chain_der, other.pfx, other.pfx_password)
    with pytest.raises(StoreError) as caught:
        store_with(fake).install(mixed)
    assert caught.value.reason == "corrupt"


def test_payload_that_cannot_fit_one_pipe_buffer_is_refused(fake, ca, monkeypatch):
    monkeypatch.setattr(macos, "PIPE_FILL_LIMIT", 100)
    with pytest.raises(StoreError) as caught:
        store_with(fake).install(make_identity(ca))
    assert "security import reads at most 100" in caught.value.detail
    assert "import" not in fake.commands()


def test_a_failing_tool_surfaces_as_store_error(ca):
    def broken(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        raise StoreError("macos", "tool-missing", "security was not found on PATH")

    with pytest.raises(StoreError) as caught:
        MacKeychainStore(KEYCHAIN, runner=broken).install(make_identity(ca))
    assert caught.value.reason == "tool-missing"


# --- remove, list -------------------------------------------------------------------------------
def test_remove_calls_delete_identity_with_the_sha1(fake, ca):
    identity = make_identity(ca)
    store = store_with(fake)
    ref = store.install(identity)
    fake.calls.clear()

    store.remove(ref)

    deletes = [call for call in fake.calls if call[1].startswith("delete")]
    assert deletes == [[SECURITY, "delete-identity", "-Z", identity.sha1_thumbprint, str(KEYCHAIN)]]
    assert store.find(identity.fingerprint) is None
    assert macos.public_key_hash(identity.cert_der) not in fake.keys


def test_remove_is_idempotent(fake, ca):
    identity = make_identity(ca)
    store = store_with(fake)
    ref = store.install(identity)
    store.remove(ref)
    fake.calls.clear()

    store.remove(ref)
    assert not [call for call in fake.calls if call[1].startswith("delete")]


def test_remove_keeps_a_key_that_a_renewed_certificate_still_uses(fake, ca):
    key = ec.generate_private_key(ec.SECP256R1())
    old, new = make_identity(ca, key=key), make_identity(ca, key=key)  # renewal that kept the key
    store = store_with(fake)
    old_ref = store.install(old)
    new_ref = store.install(new)

    assert new_ref.nickname == new.nickname  # although the shared key keeps the old label
    assert fake.keys[macos.public_key_hash(new.cert_der)] == old.nickname
    assert set(store.list_ours()) == {old_ref, new_ref}

    store.remove(old_ref)

    assert [call[1] for call in fake.calls if call[1].startswith("delete")] == ["delete-certificate"]
    assert store.find(new.fingerprint) == new_ref
    assert store.list_ours() == [new_ref]


def test_renewal_new_next_to_old_then_old_removed_keeps_the_new(fake, ca):
    store = store_with(fake)
    old, new = make_identity(ca), make_identity(ca)
    old_ref = store.install(old)
    new_ref = store.install(new)
    assert {ref.fingerprint for ref in store.list_ours()} == {old.fingerprint, new.fingerprint}

    store.remove(old_ref)
    assert store.list_ours() == [new_ref]


def test_list_ours_goes_by_the_key_label(fake, ca):
    ours = make_identity(ca)
    store = store_with(fake)
    ref = store.install(ours)
    fake.add_foreign(ca, "Imported Private Key")
    fake.add_foreign(ca, "zorgcert in lower case is not ours")
    fake.add_foreign(ca, None)  # a certificate without a key

    assert store.list_ours() == [ref]


# --- parsers on real-looking output ---------------------------------------------------------------
FIND_IDENTITY_SAMPLE = b"""
Policy: SSL (client)
  Matching identities
  1) 4E1F3C3A2B0D9C8E7F6A5B4C3D2E1F0A9B8C7D6E "Anna de Vries" (CSSMERR_TP_NOT_TRUSTED)
  2) 0123456789ABCDEF0123456789ABCDEF01234567 "Apple Development: anna@example.nl (AB12CD34EF)"
     2 identities found

  Valid identities only
  1) 0123456789ABCDEF0123456789ABCDEF01234567 "Apple Development: anna@example.nl (AB12CD34EF)"
     1 valid identities found
"""

_KC = b'keychain: "/Users/anna/Library/Keychains/login.keychain-db"\nversion: 512\n'
_HASH = (b'0x6C1B7E5A003D2F4E9A0B1C2D3E4F506172839405  '
         b'"l\\033~Z\\000=/N\\232\\013\\034->OPar\\203\\224\\005"')
# security prints a space after every hex-only value: kept, as the real output has it
DUMP_KEYCHAIN_SAMPLE = (
    _KC + b"class: 0x00000010 \n"
    b"attributes:\n"
    b"    0x00000000 <uint32>=0x00000010 \n"
    b'    0x00000001 <blob>="ZorgCert 100001 0a1b2c3d4e5f"\n'
    b"    0x00000002 <blob>=<NULL>\n"
    b"    0x00000003 <uint32>=0x00000001 \n"
    b"    0x00000006 <blob>=" + _HASH + b"\n"
    b"    0x00000007 <blob>=0x00000000 \n"
    + _KC + b"class: 0x80001000 \n"
    b"attributes:\n"
    b'    "hpky"<blob>=' + _HASH + b"\n"
    b'    "labl"<blob>="Anna de Vries"\n'
    + _KC + b"class: 0x00000010 \n"
    b"attributes:\n"
    b'    0x00000001 <blob>="Key with \\134 backslash"\n'
    b"    0x00000006 <blob>=0x00112233445566778899AABBCCDDEEFF00112233 \n"
    + _KC + b'class: "genp"\n'
    b"attributes:\n"
    b'    0x00000007 <blob>="not a key"\n'
)


def test_parse_identities_takes_every_listed_sha1():
    assert parse_identities(FIND_IDENTITY_SAMPLE) == {
        "4E1F3C3A2B0D9C8E7F6A5B4C3D2E1F0A9B8C7D6E", "0123456789ABCDEF0123456789ABCDEF01234567"}
    assert parse_identities(b"\nPolicy: SSL (client)\n  Matching identities\n     0 identities found\n") == set()


def test_parse_key_labels_reads_private_keys_only():
    assert parse_key_labels(DUMP_KEYCHAIN_SAMPLE) == {
        bytes.fromhex("6C1B7E5A003D2F4E9A0B1C2D3E4F506172839405"): "ZorgCert 100001 0a1b2c3d4e5f",
        bytes.fromhex("00112233445566778899AABBCCDDEEFF00112233"): "Key with \\ backslash",
    }


def test_print_buffer_round_trips_through_the_decoder():
    for data in (b"ZorgCert 1 abc", b"\x00\x01\x02", b"a\\b\x7f\"q\"", bytes(range(256))):
        assert macos._decode_buffer(print_buffer(data)) == data


def test_parse_certificates_reads_find_certificate_output(fake, ca):
    identity = make_identity(ca)
    fake.certs[identity.sha1_thumbprint] = identity.cert_der
    output = fake.cmd_find_certificate(["-a", "-Z", "-p"], {}).encode()
    assert parse_certificates(output) == [identity.cert_der]
    assert parse_certificates(b"") == []


# --- issue 11: the issuer's CA never gets trust settings ------------------------------------------
# Mocked because macOS and /usr/bin/security cannot run on this Linux machine (see the module
# docstring). ``security import`` of the PKCS#12 files the CA certificate in the keychain with no
# trust settings (those live apart, and only ``add-trusted-cert``/``trust-settings-import`` change
# them); so the rule is: ZorgCert never runs those commands.
def test_no_command_ever_gives_the_issuer_ca_trust(fake, ca):
    store = store_with(fake)
    old, new = renew_through(store, ca)

    allowed = {"import", "find-certificate", "find-identity", "dump-keychain", "delete-identity",
               "delete-certificate"}
    assert set(fake.commands()) <= allowed, fake.commands()
    for call in fake.calls:
        assert not any("trust" in arg.lower() for arg in call), call
    source = macos.__loader__.get_source(macos.__name__)  # type: ignore[union-attr]
    assert "add-trusted-cert" not in source and "trust-settings" not in source
