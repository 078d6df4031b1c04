"""What the Windows-side contract run needs from crypt32 besides the backend (Windows or Wine only).

* ``sign``: a signature with the private key the store holds for a certificate, so the contract
  can check it against the certificate's public key (CAPI and CNG keys; RSA PKCS#1 v1.5, SHA-256);
* ``my_store_state``: everything observable in ``My`` (thumbprint, friendly name, key container),
  to prove "left unchanged";
* ``reset``: take the test identities out of ``My`` (only those: certificates issued by the test
  CA), so that each contract test starts from a clean store even in one shared Wine prefix.

These talk to crypt32 directly, not through ``WindowsStore``, so that a bug in the backend
cannot hide itself in its own test set-up.
"""

from __future__ import annotations

import ctypes
import hashlib
from typing import Any

from keystore.base import StoreRef, fingerprint
from keystore.windows import WindowsStore
from keystore.windows.crypt32 import (
    CERT_FRIENDLY_NAME_PROP_ID,
    CERT_NCRYPT_KEY_SPEC,
    CRYPT_MACHINE_KEYSET,
    CRYPT_SILENT,
    DWORD,
    ULONG_PTR,
    Crypt32Error,
    CtypesCrypt32,
    utf16z,
)

TEST_ISSUER_MARK = b"ZorgCert Test Issuing CA"  # the test CA's name, as it sits in every test certificate's DER
CALG_SHA_256 = 0x0000800C
HP_HASHVAL = 0x0002
NTE_BAD_ALGID = 0x80090008
PROV_RSA_AES = 24
MS_ENH_RSA_AES_PROV = "Microsoft Enhanced RSA and AES Cryptographic Provider"
AT_KEYEXCHANGE, AT_SIGNATURE = 1, 2
BCRYPT_PAD_PKCS1 = 0x2


class _Pkcs1PaddingInfo(ctypes.Structure):
    _fields_ = [("pszAlgId", ctypes.c_wchar_p)]


def _advapi32() -> Any:
    dll = ctypes.WinDLL("advapi32", use_last_error=True)  # type: ignore[attr-defined]
    vp = ctypes.c_void_p
    dll.CryptCreateHash.argtypes = [ULONG_PTR, DWORD, ULONG_PTR, DWORD, ctypes.POINTER(ULONG_PTR)]
    dll.CryptHashData.argtypes = [ULONG_PTR, vp, DWORD, DWORD]
    dll.CryptSignHashW.argtypes = [ULONG_PTR, DWORD, vp, DWORD, vp, ctypes.POINTER(DWORD)]
    dll.CryptDestroyHash.argtypes = [ULONG_PTR]
    dll.CryptAcquireContextW.argtypes = [ctypes.POINTER(ULONG_PTR), ctypes.c_wchar_p, ctypes.c_wchar_p, DWORD, DWORD]
    dll.CryptReleaseContext.argtypes = [ULONG_PTR, DWORD]
    return dll


def _fail(function: str) -> Crypt32Error:
    return Crypt32Error(function, ctypes.get_last_error())  # type: ignore[attr-defined]


def _capi_sign(advapi: Any, provider: int, key_specs: tuple[int, ...], data: bytes) -> bytes:
    """SHA-256 and sign with a CAPI provider handle; raises ``Crypt32Error`` (NTE_BAD_ALGID: no SHA-256)."""
    digest = ULONG_PTR(0)
    if not advapi.CryptCreateHash(provider, CALG_SHA_256, 0, 0, ctypes.byref(digest)):
        raise _fail("CryptCreateHash")
    try:
        if not advapi.CryptHashData(digest, data, len(data), 0):
            raise _fail("CryptHashData")
        error: Crypt32Error | None = None
        for spec in key_specs:
            size = DWORD(0)
            if not advapi.CryptSignHashW(digest, spec, None, 0, None, ctypes.byref(size)):
                error = _fail("CryptSignHashW")
                continue
            out = ctypes.create_string_buffer(size.value)
            if not advapi.CryptSignHashW(digest, spec, None, 0, out, ctypes.byref(size)):
                raise _fail("CryptSignHashW")
            return out.raw[: size.value][::-1]  # CAPI writes the signature little-endian
        assert error is not None
        raise error
    finally:
        advapi.CryptDestroyHash(digest)


def _cng_sign(handle: int, data: bytes) -> bytes:
    ncrypt = ctypes.WinDLL("ncrypt")  # type: ignore[attr-defined]
    sign = ncrypt.NCryptSignHash
    sign.restype = ctypes.c_int32
    sign.argtypes = [ULONG_PTR, ctypes.c_void_p, ctypes.c_char_p, DWORD, ctypes.c_void_p, DWORD,
                     ctypes.POINTER(DWORD), DWORD]
    digest = hashlib.sha256(data).digest()
    padding = _Pkcs1PaddingInfo("SHA256")
    size = DWORD(0)
    status = sign(handle, ctypes.byref(padding), digest, len(digest), None, 0, ctypes.byref(size), BCRYPT_PAD_PKCS1)
    if status:
        raise Crypt32Error("NCryptSignHash", status)
    out = ctypes.create_string_buffer(size.value)
    status = sign(handle, ctypes.byref(padding), digest, len(digest), out, size, ctypes.byref(size), BCRYPT_PAD_PKCS1)
    if status:
        raise Crypt32Error("NCryptSignHash", status)
    return out.raw[: size.value]


def sign(store: WindowsStore, ref: StoreRef, data: bytes) -> tuple[bytes, str]:
    """Sign ``data`` with the key ``store`` holds for ``ref``: (signature, hash name)."""
    api = CtypesCrypt32()
    my = api.open_system_store(store.scope, "MY")
    contexts = api.enum_certificates(my)
    try:
        ctx = next(c for c in contexts if fingerprint(api.cert_der(c)) == ref.fingerprint)
        info = api.key_prov_info(ctx)
        handle, key_spec, must_free = api.acquire_private_key(ctx)
        try:
            if key_spec == CERT_NCRYPT_KEY_SPEC:
                return _cng_sign(handle, data), "sha256"
            # Wine reports key spec 3 for imported keys; CAPI signs with AT_KEYEXCHANGE or AT_SIGNATURE
            specs = (key_spec,) if key_spec in (AT_KEYEXCHANGE, AT_SIGNATURE) else (AT_KEYEXCHANGE, AT_SIGNATURE)
            advapi = _advapi32()
            try:
                return _capi_sign(advapi, handle, specs, data), "sha256"
            except Crypt32Error as exc:
                if exc.code != NTE_BAD_ALGID or info is None:
                    raise
            # a PROV_RSA_FULL provider knows no SHA-256: open the same container with the AES provider
            aes = ULONG_PTR(0)
            flags = CRYPT_SILENT | (CRYPT_MACHINE_KEYSET if store.scope == "LocalMachine" else 0)
            if not advapi.CryptAcquireContextW(ctypes.byref(aes), info.container, MS_ENH_RSA_AES_PROV,
                                               PROV_RSA_AES, flags):
                raise _fail("CryptAcquireContextW")
            try:
                return _capi_sign(advapi, aes.value, specs, data), "sha256"
            finally:
                advapi.CryptReleaseContext(aes, 0)
        finally:
            api.release_private_key(handle, key_spec, must_free)
    finally:
        for each in contexts:
            api.free_certificate(each)
        api.close_store(my)


def my_store_state(store: WindowsStore) -> list[tuple[str, str | None, str | None]]:
    """Every certificate in ``My``: (SHA-1 thumbprint, friendly name, key container), sorted."""
    api = CtypesCrypt32()
    my = api.open_system_store(store.scope, "MY")
    contexts = api.enum_certificates(my)
    try:
        state = []
        for ctx in contexts:
            der = api.cert_der(ctx)
            info = api.key_prov_info(ctx)
            state.append((hashlib.sha1(der).hexdigest().upper(),  # the thumbprint
                          utf16z(api.get_property(ctx, CERT_FRIENDLY_NAME_PROP_ID)),
                          info.container if info else None))
        return sorted(state, key=repr)
    finally:
        for each in contexts:
            api.free_certificate(each)
        api.close_store(my)


def reset(store: WindowsStore) -> None:
    """Delete every test certificate (issued by the test CA) from ``My``, with its key container."""
    api = CtypesCrypt32()
    my = api.open_system_store(store.scope, "MY")
    try:
        for ctx in api.enum_certificates(my):
            if TEST_ISSUER_MARK not in api.cert_der(ctx):
                api.free_certificate(ctx)
                continue
            info = api.key_prov_info(ctx)
            if info is not None:
                api.delete_key_container(info, store.scope == "LocalMachine")
            api.delete_certificate(ctx)
        api.commit(my)
    finally:
        api.close_store(my)
