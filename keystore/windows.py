"""Windows certificate store backend: ``CurrentUser\\My`` or ``LocalMachine\\My`` through crypt32.

Status, plainly: this module runs for real in a Windows CPython 3.12 under Wine 8, where it
keeps the store contract in ``CurrentUser\\My`` with RSA keys (``tests/keystore/test_windows_wine.py``;
see docs/windows.md); it has NOT yet run on a real Windows. Its store logic is also tested
against an in-memory fake of the ``Crypt32Api`` layer (``tests/keystore/test_windows_boundary.py``).
``cryptography`` does not load under Wine 8 - hence this module imports nothing but the
standard library and ``keystore.base``, and loads the DLLs only when used.

What only real Windows can prove (Wine's crypt32 is a partial re-implementation):
- which provider the key lands in (a CAPI CSP or a CNG KSP, with a fresh GUID container per
  import; Wine files every key in one rsaenh container) and that EC keys import (Wine: RSA only);
- ``LocalMachine\\My`` (under Wine the imported machine key cannot be acquired, see docs/windows.md)
  and what non-exportable (no ``CRYPT_EXPORTABLE``) means for the key afterwards;
- that Edge/Chrome/Schannel then offer the certificate for TLS client authentication, without a
  prompt (``CRYPT_ACQUIRE_SILENT_FLAG``) and, for TLS 1.3, that the key can sign RSA-PSS;
- the exact ``GetLastError`` codes (wrong password 0x56, access denied 5 on ``LocalMachine``
  without elevation) and that ``CertControlStore(COMMIT)`` on a system store is harmless;
- that ``CryptAcquireCertificatePrivateKey`` with ``CRYPT_ACQUIRE_COMPARE_KEY_FLAG`` really
  checks the key against the certificate (Wine ignores that flag).

Two layers: ``Crypt32Api`` is the interface of thin Python-level calls, one per Win32 function
(``CtypesCrypt32`` implements it with ctypes); ``WindowsStore`` holds the logic and talks only to
that interface, so a fake can stand in for crypt32 in tests.
"""

from __future__ import annotations

import ctypes
import hashlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from keystore.base import NICKNAME_PREFIX, Availability, Identity, StoreError, StoreRef, fingerprint

# --- Win32 constants (wincrypt.h, winerror.h, ncrypt.h) ------------------------------------
X509_ASN_ENCODING = 0x00000001
PKCS_7_ASN_ENCODING = 0x00010000
CERT_ENCODING = X509_ASN_ENCODING | PKCS_7_ASN_ENCODING

CRYPT_EXPORTABLE = 0x00000001
CRYPT_DELETEKEYSET = 0x00000010
CRYPT_MACHINE_KEYSET = 0x00000020
CRYPT_SILENT = 0x00000040
CRYPT_USER_KEYSET = 0x00001000
PKCS12_NO_PERSIST_KEY = 0x00008000  # deliberately never set: the key must persist

CERT_STORE_PROV_SYSTEM_W = 10
CERT_SYSTEM_STORE_CURRENT_USER = 0x00010000
CERT_SYSTEM_STORE_LOCAL_MACHINE = 0x00020000

CERT_KEY_PROV_INFO_PROP_ID = 2
CERT_HASH_PROP_ID = 3  # the SHA-1 thumbprint
CERT_FRIENDLY_NAME_PROP_ID = 11

CERT_STORE_ADD_REPLACE_EXISTING = 3
CERT_FIND_HASH = 0x00010000  # CERT_COMPARE_SHA1_HASH << CERT_COMPARE_SHIFT
CERT_STORE_CTRL_COMMIT = 3  # wincrypt.h: RESYNC 1, NOTIFY_CHANGE 2, COMMIT 3, AUTO_RESYNC 4

CRYPT_ACQUIRE_COMPARE_KEY_FLAG = 0x00000004
CRYPT_ACQUIRE_SILENT_FLAG = 0x00000040
CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG = 0x00010000
CERT_NCRYPT_KEY_SPEC = 0xFFFFFFFF

NCRYPT_MACHINE_KEY_FLAG = 0x00000020
NCRYPT_SILENT_FLAG = 0x00000040

ERROR_ACCESS_DENIED = 0x5
ERROR_NO_MORE_FILES = 0x12
ERROR_INVALID_PASSWORD = 0x56
CRYPT_E_NOT_FOUND = 0x80092004
NTE_BAD_KEYSET = 0x80090016

SCOPES = {"CurrentUser": CERT_SYSTEM_STORE_CURRENT_USER, "LocalMachine": CERT_SYSTEM_STORE_LOCAL_MACHINE}

# --- structure layouts (fixed-width types: ctypes.wintypes.DWORD is 8 bytes on 64-bit Linux) --
DWORD = ctypes.c_uint32
BOOL = ctypes.c_int32
ULONG_PTR = ctypes.c_size_t  # HCRYPTPROV, NCRYPT_*_HANDLE, HCRYPTPROV_OR_NCRYPT_KEY_HANDLE


class CRYPT_DATA_BLOB(ctypes.Structure):  # also CRYPT_HASH_BLOB / CRYPT_INTEGER_BLOB
    _fields_ = [("cbData", DWORD), ("pbData", ctypes.POINTER(ctypes.c_ubyte))]


class CERT_CONTEXT(ctypes.Structure):
    _fields_ = [
        ("dwCertEncodingType", DWORD),
        ("pbCertEncoded", ctypes.POINTER(ctypes.c_ubyte)),
        ("cbCertEncoded", DWORD),
        ("pCertInfo", ctypes.c_void_p),
        ("hCertStore", ctypes.c_void_p),
    ]


class CRYPT_KEY_PROV_PARAM(ctypes.Structure):
    _fields_ = [
        ("dwParam", DWORD),
        ("pbData", ctypes.POINTER(ctypes.c_ubyte)),
        ("cbData", DWORD),
        ("dwFlags", DWORD),
    ]


class CRYPT_KEY_PROV_INFO(ctypes.Structure):
    _fields_ = [
        ("pwszContainerName", ctypes.c_wchar_p),
        ("pwszProvName", ctypes.c_wchar_p),
        ("dwProvType", DWORD),
        ("dwFlags", DWORD),
        ("cProvParam", DWORD),
        ("rgProvParam", ctypes.POINTER(CRYPT_KEY_PROV_PARAM)),
        ("dwKeySpec", DWORD),
    ]


PCCERT_CONTEXT = ctypes.POINTER(CERT_CONTEXT)


# --- the interface between store logic and crypt32 -----------------------------------------
class Crypt32Error(Exception):
    """A Win32 call failed; ``code`` is its GetLastError / SECURITY_STATUS as unsigned 32-bit."""

    def __init__(self, function: str, code: int):
        code &= 0xFFFFFFFF  # GetLastError reads back signed for HRESULTs such as 0x8009200B
        super().__init__(f"{function} failed: 0x{code:08X}")
        self.function = function
        self.code = code


@dataclass(frozen=True)
class KeyProvInfo:
    """Where a certificate's private key lives (CRYPT_KEY_PROV_INFO)."""

    container: str
    provider: str | None
    prov_type: int  # 0: a CNG key storage provider; otherwise a CAPI CSP type
    flags: int
    key_spec: int

    def same_key(self, other: KeyProvInfo) -> bool:
        """Container names are case-insensitive in both CAPI and CNG."""
        return (self.container.casefold() == other.container.casefold()
                and (self.provider or "").casefold() == (other.provider or "").casefold())


class Crypt32Api(Protocol):
    """Thin Python-level calls into crypt32/advapi32/ncrypt; errors raise ``Crypt32Error``.

    Handles and contexts are opaque. Contexts from ``enum_certificates`` and ``find_by_sha1``
    belong to the caller (``free_certificate``); ``delete_certificate`` consumes its context.
    """

    def is_pfx(self, pfx: bytes) -> bool: ...
    def pfx_import(self, pfx: bytes, password: str, flags: int) -> Any: ...
    def open_system_store(self, scope: str, name: str) -> Any: ...
    def enum_certificates(self, store: Any) -> list[Any]: ...
    def cert_der(self, ctx: Any) -> bytes: ...
    def get_property(self, ctx: Any, prop_id: int) -> bytes | None: ...
    def key_prov_info(self, ctx: Any) -> KeyProvInfo | None: ...
    def set_friendly_name(self, ctx: Any, name: str) -> None: ...
    def add_certificate(self, store: Any, ctx: Any, disposition: int) -> None: ...
    def find_by_sha1(self, store: Any, sha1: bytes) -> Any | None: ...
    def acquire_private_key(self, ctx: Any) -> tuple[int, int, bool]: ...
    def release_private_key(self, handle: int, key_spec: int, must_free: bool) -> None: ...
    def delete_certificate(self, ctx: Any) -> None: ...
    def delete_key_container(self, info: KeyProvInfo, machine: bool) -> bool: ...
    def commit(self, store: Any) -> None: ...
    def close_store(self, store: Any) -> None: ...
    def free_certificate(self, ctx: Any) -> None: ...


class CtypesCrypt32:
    """``Crypt32Api`` over the real DLLs; can be built only on Windows (or under Wine)."""

    def __init__(self) -> None:
        # getattr, not sys.platform: these exist only in a Windows CPython (also under Wine)
        self._win_dll: Any = getattr(ctypes, "WinDLL", None)
        if self._win_dll is None:
            raise OSError("crypt32.dll exists only on Windows")
        self._last_error: Any = getattr(ctypes, "get_last_error")  # noqa: B009
        self._reset_error: Any = getattr(ctypes, "set_last_error")  # noqa: B009
        crypt32 = self._win_dll("crypt32", use_last_error=True)
        advapi32 = self._win_dll("advapi32", use_last_error=True)
        self._ncrypt_dll: Any = None
        pblob = ctypes.POINTER(CRYPT_DATA_BLOB)
        vp = ctypes.c_void_p
        self._PFXImportCertStore = _proto(crypt32, "PFXImportCertStore", vp, pblob, vp, DWORD)
        try:
            self._PFXIsPFXBlob: Any = _proto(crypt32, "PFXIsPFXBlob", BOOL, pblob)
        except AttributeError:  # not every crypt32 (older Wine) exports it
            self._PFXIsPFXBlob = None
        self._CertOpenStore = _proto(crypt32, "CertOpenStore", vp, vp, DWORD, ULONG_PTR, DWORD, vp)
        self._CertCloseStore = _proto(crypt32, "CertCloseStore", BOOL, vp, DWORD)
        self._CertEnumCertificatesInStore = _proto(
            crypt32, "CertEnumCertificatesInStore", PCCERT_CONTEXT, vp, PCCERT_CONTEXT)
        self._CertDuplicateCertificateContext = _proto(
            crypt32, "CertDuplicateCertificateContext", PCCERT_CONTEXT, PCCERT_CONTEXT)
        self._CertFreeCertificateContext = _proto(crypt32, "CertFreeCertificateContext", BOOL, PCCERT_CONTEXT)
        self._CertGetCertificateContextProperty = _proto(
            crypt32, "CertGetCertificateContextProperty", BOOL, PCCERT_CONTEXT, DWORD, vp, ctypes.POINTER(DWORD))
        self._CertSetCertificateContextProperty = _proto(
            crypt32, "CertSetCertificateContextProperty", BOOL, PCCERT_CONTEXT, DWORD, DWORD, vp)
        self._CertAddCertificateContextToStore = _proto(
            crypt32, "CertAddCertificateContextToStore", BOOL, vp, PCCERT_CONTEXT, DWORD,
            ctypes.POINTER(PCCERT_CONTEXT))
        self._CertFindCertificateInStore = _proto(
            crypt32, "CertFindCertificateInStore", PCCERT_CONTEXT, vp, DWORD, DWORD, DWORD, vp, PCCERT_CONTEXT)
        self._CryptAcquireCertificatePrivateKey = _proto(
            crypt32, "CryptAcquireCertificatePrivateKey", BOOL, PCCERT_CONTEXT, DWORD, vp,
            ctypes.POINTER(ULONG_PTR), ctypes.POINTER(DWORD), ctypes.POINTER(BOOL))
        self._CertDeleteCertificateFromStore = _proto(
            crypt32, "CertDeleteCertificateFromStore", BOOL, PCCERT_CONTEXT)
        self._CertControlStore = _proto(crypt32, "CertControlStore", BOOL, vp, DWORD, DWORD, vp)
        self._CryptAcquireContextW = _proto(
            advapi32, "CryptAcquireContextW", BOOL, ctypes.POINTER(ULONG_PTR), ctypes.c_wchar_p,
            ctypes.c_wchar_p, DWORD, DWORD)
        self._CryptReleaseContext = _proto(advapi32, "CryptReleaseContext", BOOL, ULONG_PTR, DWORD)

    def _fail(self, function: str) -> Crypt32Error:
        return Crypt32Error(function, self._last_error())

    def _ncrypt(self) -> Any:
        """ncrypt.dll, loaded the first time a CNG key is touched; its calls return a status."""
        if self._ncrypt_dll is None:
            dll = self._win_dll("ncrypt")
            status = ctypes.c_int32
            self._ncrypt_dll = {
                "open_provider": _proto(dll, "NCryptOpenStorageProvider", status,
                                        ctypes.POINTER(ULONG_PTR), ctypes.c_wchar_p, DWORD),
                "open_key": _proto(dll, "NCryptOpenKey", status, ULONG_PTR, ctypes.POINTER(ULONG_PTR),
                                   ctypes.c_wchar_p, DWORD, DWORD),
                "delete_key": _proto(dll, "NCryptDeleteKey", status, ULONG_PTR, DWORD),
                "free": _proto(dll, "NCryptFreeObject", status, ULONG_PTR),
            }
        return self._ncrypt_dll

    def is_pfx(self, pfx: bytes) -> bool:
        if self._PFXIsPFXBlob is None:
            return pfx[:1] == b"\x30"  # an ASN.1 SEQUENCE, as far as one can tell without it
        data = ctypes.create_string_buffer(pfx, len(pfx))
        blob = CRYPT_DATA_BLOB(len(pfx), ctypes.cast(data, ctypes.POINTER(ctypes.c_ubyte)))
        return bool(self._PFXIsPFXBlob(ctypes.byref(blob)))

    def pfx_import(self, pfx: bytes, password: str, flags: int) -> Any:
        # Best effort only: the password also lives in the caller's immutable str, which
        # Python cannot wipe; this clears the copies made for the call.
        data = ctypes.create_string_buffer(pfx, len(pfx))
        secret = ctypes.create_unicode_buffer(password)
        try:
            blob = CRYPT_DATA_BLOB(len(pfx), ctypes.cast(data, ctypes.POINTER(ctypes.c_ubyte)))
            self._reset_error(0)  # Wine returns NULL without setting an error: make that read 0
            store = self._PFXImportCertStore(ctypes.byref(blob), secret, flags)
            code = self._last_error()
        finally:
            ctypes.memset(secret, 0, ctypes.sizeof(secret))
            ctypes.memset(data, 0, ctypes.sizeof(data))
        if not store:
            raise Crypt32Error("PFXImportCertStore", code)
        return store

    def open_system_store(self, scope: str, name: str) -> Any:
        store_name = ctypes.create_unicode_buffer(name)
        store = self._CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, SCOPES[scope], store_name)
        if not store:
            raise self._fail("CertOpenStore")
        return store

    def enum_certificates(self, store: Any) -> list[Any]:
        found: list[Any] = []
        previous = None
        while True:
            ctx = self._CertEnumCertificatesInStore(store, previous)  # frees `previous`
            if not ctx:
                error = self._fail("CertEnumCertificatesInStore")
                if error.code in (CRYPT_E_NOT_FOUND, ERROR_NO_MORE_FILES, 0):
                    return found
                for each in found:
                    self.free_certificate(each)
                raise error
            found.append(self._CertDuplicateCertificateContext(ctx))
            previous = ctx

    def cert_der(self, ctx: Any) -> bytes:
        cert = ctx.contents
        return ctypes.string_at(cert.pbCertEncoded, cert.cbCertEncoded)

    def _property(self, ctx: Any, prop_id: int) -> Any | None:
        size = DWORD(0)
        if not self._CertGetCertificateContextProperty(ctx, prop_id, None, ctypes.byref(size)):
            error = self._fail("CertGetCertificateContextProperty")
            if error.code == CRYPT_E_NOT_FOUND:
                return None
            raise error
        buffer = ctypes.create_string_buffer(max(size.value, ctypes.sizeof(CRYPT_KEY_PROV_INFO)))
        if not self._CertGetCertificateContextProperty(ctx, prop_id, buffer, ctypes.byref(size)):
            raise self._fail("CertGetCertificateContextProperty")
        return buffer, size.value

    def get_property(self, ctx: Any, prop_id: int) -> bytes | None:
        found = self._property(ctx, prop_id)
        if found is None:
            return None
        buffer, size = found
        return bytes(buffer.raw[:size])

    def key_prov_info(self, ctx: Any) -> KeyProvInfo | None:
        found = self._property(ctx, CERT_KEY_PROV_INFO_PROP_ID)
        if found is None:
            return None
        buffer, _size = found
        info = CRYPT_KEY_PROV_INFO.from_buffer(buffer)  # its pointers point into `buffer`
        return KeyProvInfo(container=info.pwszContainerName or "", provider=info.pwszProvName,
                           prov_type=info.dwProvType, flags=info.dwFlags, key_spec=info.dwKeySpec)

    def set_friendly_name(self, ctx: Any, name: str) -> None:
        text = ctypes.create_unicode_buffer(name)  # UTF-16 with its terminating NUL, as Windows stores it
        blob = CRYPT_DATA_BLOB(ctypes.sizeof(text), ctypes.cast(text, ctypes.POINTER(ctypes.c_ubyte)))
        if not self._CertSetCertificateContextProperty(ctx, CERT_FRIENDLY_NAME_PROP_ID, 0, ctypes.byref(blob)):
            raise self._fail("CertSetCertificateContextProperty")

    def add_certificate(self, store: Any, ctx: Any, disposition: int) -> None:
        if not self._CertAddCertificateContextToStore(store, ctx, disposition, None):
            raise self._fail("CertAddCertificateContextToStore")

    def find_by_sha1(self, store: Any, sha1: bytes) -> Any | None:
        digest = ctypes.create_string_buffer(sha1, len(sha1))
        blob = CRYPT_DATA_BLOB(len(sha1), ctypes.cast(digest, ctypes.POINTER(ctypes.c_ubyte)))
        ctx = self._CertFindCertificateInStore(store, CERT_ENCODING, 0, CERT_FIND_HASH, ctypes.byref(blob), None)
        if not ctx:
            error = self._fail("CertFindCertificateInStore")
            if error.code == CRYPT_E_NOT_FOUND:
                return None
            raise error
        return ctx

    def acquire_private_key(self, ctx: Any) -> tuple[int, int, bool]:
        handle, key_spec, must_free = ULONG_PTR(0), DWORD(0), BOOL(0)
        flags = CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG | CRYPT_ACQUIRE_SILENT_FLAG | CRYPT_ACQUIRE_COMPARE_KEY_FLAG
        if not self._CryptAcquireCertificatePrivateKey(
                ctx, flags, None, ctypes.byref(handle), ctypes.byref(key_spec), ctypes.byref(must_free)):
            raise self._fail("CryptAcquireCertificatePrivateKey")
        return handle.value, key_spec.value, bool(must_free.value)

    def release_private_key(self, handle: int, key_spec: int, must_free: bool) -> None:
        if not must_free:
            return
        if key_spec == CERT_NCRYPT_KEY_SPEC:
            self._ncrypt()["free"](handle)
        else:
            self._CryptReleaseContext(handle, 0)

    def delete_certificate(self, ctx: Any) -> None:
        if not self._CertDeleteCertificateFromStore(ctx):  # frees ctx even when it fails
            raise self._fail("CertDeleteCertificateFromStore")

    def delete_key_container(self, info: KeyProvInfo, machine: bool) -> bool:
        if info.prov_type != 0:  # CAPI: a CSP container
            provider = ULONG_PTR(0)
            flags = CRYPT_DELETEKEYSET | CRYPT_SILENT | (CRYPT_MACHINE_KEYSET if machine else 0)
            if not self._CryptAcquireContextW(ctypes.byref(provider), info.container, info.provider,
                                              info.prov_type, flags):
                error = self._fail("CryptAcquireContextW")
                if error.code == NTE_BAD_KEYSET:
                    return False  # already gone
                raise error
            return True
        return self._delete_cng_key(info, machine)

    def _delete_cng_key(self, info: KeyProvInfo, machine: bool) -> bool:
        ncrypt = self._ncrypt()
        provider = ULONG_PTR(0)
        status = ncrypt["open_provider"](ctypes.byref(provider), info.provider, 0) & 0xFFFFFFFF
        if status:
            raise Crypt32Error("NCryptOpenStorageProvider", status)
        try:
            key = ULONG_PTR(0)
            flags = NCRYPT_SILENT_FLAG | (NCRYPT_MACHINE_KEY_FLAG if machine else 0)
            status = NTE_BAD_KEYSET
            for legacy_spec in dict.fromkeys((info.key_spec if info.key_spec in (1, 2) else 0, 0)):
                status = ncrypt["open_key"](provider, ctypes.byref(key), info.container, legacy_spec,
                                            flags) & 0xFFFFFFFF
                if status != NTE_BAD_KEYSET:
                    break
            if status == NTE_BAD_KEYSET:
                return False  # already gone
            if status:
                raise Crypt32Error("NCryptOpenKey", status)
            status = ncrypt["delete_key"](key, NCRYPT_SILENT_FLAG) & 0xFFFFFFFF  # frees key on success
            if status:
                ncrypt["free"](key)
                raise Crypt32Error("NCryptDeleteKey", status)
            return True
        finally:
            ncrypt["free"](provider)

    def commit(self, store: Any) -> None:
        if not self._CertControlStore(store, 0, CERT_STORE_CTRL_COMMIT, None):
            raise self._fail("CertControlStore")

    def close_store(self, store: Any) -> None:
        self._CertCloseStore(store, 0)

    def free_certificate(self, ctx: Any) -> None:
        self._CertFreeCertificateContext(ctx)


def _proto(dll: Any, name: str, restype: Any, *argtypes: Any) -> Any:
    function = getattr(dll, name)
    function.restype = restype
    function.argtypes = argtypes
    return function


# --- the store logic ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Entry:
    der: bytes
    friendly_name: str | None
    key: KeyProvInfo | None
    key_problem: str | None  # None when the private key was acquired


class WindowsStore:
    """The ``My`` (Personal) store of the current user or of the machine."""

    name = "windows"

    def __init__(self, scope: str = "CurrentUser", *, exportable: bool = False, api: Crypt32Api | None = None):
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {sorted(SCOPES)}, not {scope!r}")
        self.scope = scope
        self.exportable = exportable
        self.location = f"{scope}\\My"
        self._api = api

    # -- CertStore ---------------------------------------------------------------------------
    def available(self) -> Availability:
        """Usable when crypt32 loads (only on Windows), or when a Crypt32Api was handed in."""
        if self._api is not None:
            return Availability(True, f"Windows certificate store {self.location}")
        if sys.platform != "win32":
            return Availability(False, "only on Windows", None)
        try:
            self._api = CtypesCrypt32()
        except Exception as exc:  # noqa: BLE001 - never raise from available()
            return Availability(False, f"crypt32.dll could not be loaded: {exc}",
                                "Repair the Windows installation (sfc /scannow) and try again.")
        return Availability(True, f"Windows certificate store {self.location}")

    def install(self, identity: Identity) -> StoreRef:
        """Import the PKCS#12, file its leaf in My under the nickname, and read it back."""
        sha1 = bytes.fromhex(identity.sha1_thumbprint)
        before = self._lookup(sha1)
        if before is not None and before.key_problem is None:
            if before.friendly_name != identity.nickname:
                self._rename(sha1, identity.nickname)
            return self._read_back(identity, sha1)
        new_key = self._import_into_my(identity, sha1)
        try:
            ref = self._read_back(identity, sha1)
        except StoreError:
            self._undo_install(sha1, new_key)
            raise
        if before is not None and before.key is not None and not before.key.same_key(new_key):
            self._delete_key_if_unused(before.key, best_effort=True)  # the broken entry's old key
        return ref

    def find(self, fingerprint_: str) -> StoreRef | None:
        """The entry whose certificate has this SHA-256, provided its private key can be acquired."""
        api = self._calls()
        wanted = fingerprint_.lower()
        with self._my_store() as store, self._certificates(store) as contexts, self._errors("could not search"):
            for ctx in contexts:
                if fingerprint(api.cert_der(ctx)) != wanted:
                    continue
                entry = self._describe(ctx, check_key=True)
                if entry.key_problem is None:
                    return self._ref(entry.friendly_name or "", wanted)
        return None

    def remove(self, ref: StoreRef) -> None:
        """Delete the key container, then the certificate, then commit; fine if already gone."""
        api = self._calls()
        wanted = ref.fingerprint.lower()
        commit_error: Crypt32Error | None = None
        with self._my_store() as store:
            owned = self._enum(store)
            try:
                doomed: list[tuple[Any, KeyProvInfo | None]] = []
                kept_keys: list[KeyProvInfo] = []
                for ctx in list(owned):
                    info = api.key_prov_info(ctx)
                    if fingerprint(api.cert_der(ctx)) == wanted:
                        doomed.append((ctx, info))
                    else:
                        if info is not None:
                            kept_keys.append(info)
                        owned.remove(ctx)
                        api.free_certificate(ctx)
                for ctx, info in doomed:
                    # A key another certificate still uses stays (Wine files every import in one container).
                    if info is not None and not any(info.same_key(other) for other in kept_keys):
                        api.delete_key_container(info, self._machine(info))
                    owned.remove(ctx)
                    api.delete_certificate(ctx)
                if doomed:
                    try:
                        api.commit(store)
                    except Crypt32Error as exc:
                        commit_error = exc  # judged by the read-back below
            except Crypt32Error as exc:
                raise self._failure(exc, f"could not remove {ref.nickname or wanted} from {self.location}") from exc
            finally:
                for ctx in owned:
                    api.free_certificate(ctx)
        if self._holds(wanted):
            detail = f"{ref.nickname or wanted} is still in {self.location} after deleting it"
            if commit_error is not None:
                detail += f" ({commit_error})"
            raise StoreError(self.name, "read-back", detail)

    def list_ours(self) -> list[StoreRef]:
        """Every certificate in My whose friendly name starts with ``ZorgCert``, key or not."""
        api = self._calls()
        refs = []
        with self._my_store() as store, self._certificates(store) as contexts, self._errors("could not list"):
            for ctx in contexts:
                name = _utf16z(api.get_property(ctx, CERT_FRIENDLY_NAME_PROP_ID))
                if name is not None and name.startswith(NICKNAME_PREFIX):
                    refs.append(self._ref(name, fingerprint(api.cert_der(ctx))))
        return refs

    # -- install steps -----------------------------------------------------------------------
    def _import_flags(self) -> int:
        flags = CRYPT_USER_KEYSET if self.scope == "CurrentUser" else CRYPT_MACHINE_KEYSET
        return flags | (CRYPT_EXPORTABLE if self.exportable else 0)

    def _pfx_import(self, identity: Identity) -> Any:
        api = self._calls()
        try:
            return api.pfx_import(identity.pfx, identity.pfx_password, self._import_flags())
        except Crypt32Error as exc:
            if not pfx_shape_ok(identity.pfx) or not api.is_pfx(identity.pfx):
                raise StoreError(self.name, "corrupt", "the data handed to the Windows store is not a "
                                 f"(complete) PKCS#12 file ({exc})", _FIX_DAMAGED) from exc
            if exc.code in (ERROR_INVALID_PASSWORD, 0):  # Windows: 0x56; Wine: no error set
                raise StoreError(self.name, "wrong-password",
                                 f"PFXImportCertStore refused the PKCS#12 password (0x{exc.code:08X}); "
                                 "under Wine this also means an algorithm it cannot read", _FIX_DAMAGED) from exc
            raise self._failure(exc, "could not read the PKCS#12") from exc

    def _import_into_my(self, identity: Identity, sha1: bytes) -> KeyProvInfo:
        """Import into a memory store, name the leaf, add it to My; returns the leaf's key."""
        api = self._calls()
        temp = self._pfx_import(identity)
        created: list[KeyProvInfo] = []  # the import persisted these key containers already
        leaf_key: KeyProvInfo | None = None
        try:
            contexts = api.enum_certificates(temp)
            try:
                leaf = None
                for ctx in contexts:
                    info = api.key_prov_info(ctx)
                    if info is not None:
                        created.append(info)
                    if info is not None and hashlib.sha1(api.cert_der(ctx)).digest() == sha1:
                        leaf, leaf_key = ctx, info
                if leaf is None or leaf_key is None:
                    raise StoreError(self.name, "corrupt", f"the PKCS#12 holds no certificate "
                                     f"{identity.sha1_thumbprint} with its private key", _FIX_DAMAGED)
                api.set_friendly_name(leaf, identity.nickname)
                with self._my_store() as my:
                    api.add_certificate(my, leaf, CERT_STORE_ADD_REPLACE_EXISTING)
            finally:
                for ctx in contexts:
                    api.free_certificate(ctx)
        except Crypt32Error as exc:
            self._discard(created)
            raise self._failure(exc, f"could not add {identity.nickname} to {self.location}") from exc
        except BaseException:
            self._discard(created)
            raise
        finally:
            api.close_store(temp)
        assert leaf_key is not None  # else the StoreError above
        self._discard([info for info in created if not info.same_key(leaf_key)])  # keys of CA certs
        return leaf_key

    def _read_back(self, identity: Identity, sha1: bytes) -> StoreRef:
        entry = self._lookup(sha1)
        where = f"{identity.nickname} in {self.location}"
        if entry is None:
            raise StoreError(self.name, "read-back", f"{where}: the certificate is not there after adding it")
        if entry.friendly_name != identity.nickname:
            raise StoreError(self.name, "read-back", f"{where}: friendly name reads {entry.friendly_name!r}")
        if entry.key_problem is not None:
            raise StoreError(self.name, "read-back", f"{where}: the private key is not usable ({entry.key_problem})")
        return self._ref(identity.nickname, identity.fingerprint)

    def _undo_install(self, sha1: bytes, key: KeyProvInfo) -> None:
        """After a failed read-back: take out what this install put in, as far as possible."""
        api = self._calls()
        try:
            with self._my_store() as store:
                ctx = api.find_by_sha1(store, sha1)
                if ctx is not None:
                    api.delete_certificate(ctx)
                    api.commit(store)
        except Crypt32Error:
            pass  # the read-back error is the one to report
        self._delete_key_if_unused(key, best_effort=True)

    def _discard(self, keys: list[KeyProvInfo]) -> None:
        for info in keys:
            self._delete_key_if_unused(info, best_effort=True)

    def _delete_key_if_unused(self, info: KeyProvInfo, *, best_effort: bool = False) -> None:
        """Delete a key container unless a certificate in My still points at it."""
        api = self._calls()
        try:
            with self._my_store() as store, self._certificates(store) as contexts:
                for ctx in contexts:
                    key = api.key_prov_info(ctx)
                    if key is not None and key.same_key(info):
                        return
            api.delete_key_container(info, self._machine(info))
        except Crypt32Error as exc:
            if not best_effort:
                raise self._failure(exc, f"could not delete key container {info.container}") from exc
        except StoreError:
            if not best_effort:
                raise

    def _rename(self, sha1: bytes, nickname: str) -> None:
        api = self._calls()
        with self._my_store() as store:
            ctx = api.find_by_sha1(store, sha1)
            if ctx is None:
                return
            try:
                api.set_friendly_name(ctx, nickname)
            except Crypt32Error as exc:
                raise self._failure(exc, f"could not rename the certificate to {nickname}") from exc
            finally:
                api.free_certificate(ctx)
            try:
                api.commit(store)
            except Crypt32Error:
                pass  # the read-back decides

    # -- reading -----------------------------------------------------------------------------
    def _lookup(self, sha1: bytes) -> _Entry | None:
        api = self._calls()
        with self._my_store() as store:
            try:
                ctx = api.find_by_sha1(store, sha1)
            except Crypt32Error as exc:
                raise self._failure(exc, f"could not search {self.location}") from exc
            if ctx is None:
                return None
            try:
                return self._describe(ctx, check_key=True)
            finally:
                api.free_certificate(ctx)

    def _holds(self, wanted: str) -> bool:
        api = self._calls()
        with self._my_store() as store, self._certificates(store) as contexts, self._errors("could not list"):
            return any(fingerprint(api.cert_der(ctx)) == wanted for ctx in contexts)

    def _describe(self, ctx: Any, *, check_key: bool) -> _Entry:
        api = self._calls()
        try:
            der = api.cert_der(ctx)
            name = _utf16z(api.get_property(ctx, CERT_FRIENDLY_NAME_PROP_ID))
            key = api.key_prov_info(ctx)
        except Crypt32Error as exc:
            raise self._failure(exc, f"could not read a certificate in {self.location}") from exc
        problem: str | None = None
        if key is None:
            problem = "no CERT_KEY_PROV_INFO_PROP_ID: the certificate has no private key"
        elif check_key:
            try:
                handle, key_spec, must_free = api.acquire_private_key(ctx)
            except Crypt32Error as exc:
                problem = str(exc)
            else:
                api.release_private_key(handle, key_spec, must_free)
        return _Entry(der, name, key, problem)

    # -- plumbing ----------------------------------------------------------------------------
    def _calls(self) -> Crypt32Api:
        if self._api is None:
            if sys.platform != "win32":
                raise StoreError(self.name, "unavailable", "the Windows certificate store exists only on Windows")
            try:
                self._api = CtypesCrypt32()
            except OSError as exc:
                raise StoreError(self.name, "unavailable", f"crypt32.dll could not be loaded: {exc}") from exc
        return self._api

    @contextmanager
    def _my_store(self) -> Iterator[Any]:
        api = self._calls()
        try:
            store = api.open_system_store(self.scope, "MY")
        except Crypt32Error as exc:
            raise self._failure(exc, f"could not open {self.location}") from exc
        try:
            yield store
        finally:
            api.close_store(store)

    def _enum(self, store: Any) -> list[Any]:
        try:
            return self._calls().enum_certificates(store)
        except Crypt32Error as exc:
            raise self._failure(exc, f"could not list {self.location}") from exc

    @contextmanager
    def _certificates(self, store: Any) -> Iterator[list[Any]]:
        """Every certificate context in the store, all freed when the block ends."""
        api = self._calls()
        contexts = self._enum(store)
        try:
            yield contexts
        finally:
            for ctx in contexts:
                api.free_certificate(ctx)

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Turn a failed Win32 call into a StoreError that names the call and its code."""
        try:
            yield
        except Crypt32Error as exc:
            raise self._failure(exc, f"{doing} {self.location}") from exc

    def _machine(self, info: KeyProvInfo) -> bool:
        return self.scope == "LocalMachine" or bool(info.flags & CRYPT_MACHINE_KEYSET)

    def _ref(self, nickname: str, fingerprint_: str) -> StoreRef:
        return StoreRef(self.name, self.location, nickname, fingerprint_)

    def _failure(self, exc: Crypt32Error, doing: str) -> StoreError:
        fix = None
        if exc.code == ERROR_ACCESS_DENIED and self.scope == "LocalMachine":
            fix = "Run ZorgCert as administrator to change LocalMachine\\My, or install for the current user."
        return StoreError(self.name, "tool-failed", f"{doing}: {exc}", fix)


_FIX_DAMAGED = "Restore the certificate from its backup or request it again; if that fails, contact Support."


def pfx_shape_ok(blob: bytes) -> bool:
    """Whether ``blob`` is shaped like a DER PFX: one SEQUENCE spanning it all, starting with version 3.

    Catches junk and truncation before blaming the password; standard library only, so that it
    works where ``cryptography`` does not load (the same check is in ``keystore.macos``).
    """
    if len(blob) < 8 or blob[0] != 0x30:
        return False
    first = blob[1]
    if first == 0x80:  # BER indefinite length: cannot judge the end here
        header, length = 2, len(blob) - 2
    elif first < 0x80:
        header, length = 2, first
    elif first - 0x80 <= 4:
        header = 2 + (first - 0x80)
        length = int.from_bytes(blob[2:header], "big")
    else:
        return False
    return header + length == len(blob) and blob[header:header + 3] == b"\x02\x01\x03"


def _utf16z(raw: bytes | None) -> str | None:
    """A UTF-16LE property value up to its terminating NUL (how Windows stores friendly names)."""
    if raw is None:
        return None
    return raw.decode("utf-16-le", errors="replace").split("\x00", 1)[0]
