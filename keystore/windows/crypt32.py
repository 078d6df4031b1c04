"""The ctypes binding of crypt32, advapi32 and ncrypt: constants, structure layouts, and ``Crypt32Api``.

``Crypt32Api`` is the interface ``WindowsStore`` talks to: thin Python-level calls, one per
Win32 function; ``CtypesCrypt32`` implements it over the real DLLs (Windows, or Wine). Standard
library only, so that it loads in a Windows CPython under Wine where ``cryptography`` does not.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, Protocol

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



def utf16z(raw: bytes | None) -> str | None:
    """A UTF-16LE property value up to its terminating NUL (how Windows stores friendly names)."""
    if raw is None:
        return None
    return raw.decode("utf-16-le", errors="replace").split("\x00", 1)[0]
