"""Windows certificate store backend: ``CurrentUser\\My`` or ``LocalMachine\\My`` through crypt32.

Status, plainly: this package runs for real in a Windows CPython 3.12 under Wine 8, where it
keeps the store contract in ``CurrentUser\\My`` with RSA keys (``tests/keystore/test_windows_wine.py``;
see docs/windows.md); it has NOT yet run on a real Windows. Its store logic is also tested
against an in-memory fake of the ``Crypt32Api`` layer (``tests/keystore/test_windows_boundary.py``).
``cryptography`` does not load under Wine 8 - hence this package imports nothing but the
standard library, ``keystore.base`` and ``keystore.der``, and loads the DLLs only when used.

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

Two layers, one module each: ``crypt32.py`` holds the Win32 constants and structure layouts and
``Crypt32Api``, the interface of thin Python-level calls, one per Win32 function (``CtypesCrypt32``
implements it with ctypes); ``store.py`` holds ``WindowsStore``, the logic, which talks only to
that interface, so a fake can stand in for crypt32 in tests.
"""

from __future__ import annotations

from keystore.windows.crypt32 import Crypt32Api, Crypt32Error, CtypesCrypt32, KeyProvInfo
from keystore.windows.store import WindowsStore

__all__ = ["Crypt32Api", "Crypt32Error", "CtypesCrypt32", "KeyProvInfo", "WindowsStore"]
