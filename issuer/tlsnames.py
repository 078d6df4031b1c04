"""The CA names in the TLS CertificateRequest (RFC 7030 §3.3.2; what a browser filters its certificates by).

Python's ``ssl`` module has no call for OpenSSL's ``SSL_CTX_set_client_CA_list``, so a server made with it
asks for a client certificate without naming a CA. This module makes that one call through ``ctypes`` on
the ``SSL_CTX`` behind an ``ssl.SSLContext``, and only when it can prove it holds the right pointer:

* the libssl it loads is the one CPython's ``_ssl`` uses (same version number, from the same soname);
* the pointer read where CPython keeps the ``SSL_CTX`` (the first field after the object header) gives
  back, through OpenSSL's own getters, the context's options and verify mode as Python reports them.

When either check fails (another platform, another build, a future CPython layout) nothing is written, a
line is logged, and the server runs as before without the names: a missing list is what RFC 5246 allows.
OpenSSL sends the list in TLS 1.2's CertificateRequest and, as ``certificate_authorities``, in TLS 1.3's.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import ssl
import sys
from pathlib import Path

log = logging.getLogger("zorgcert.issuer")

_SSL_VERIFY = {ssl.CERT_NONE: 0x00, ssl.CERT_OPTIONAL: 0x01, ssl.CERT_REQUIRED: 0x03}  # | FAIL_IF_NO_PEER_CERT


def _libssl() -> ctypes.CDLL | None:
    """The libssl CPython's ``_ssl`` is linked to, or None when it cannot be matched for certain."""
    if sys.implementation.name != "cpython" or not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("ssl")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
        lib.OpenSSL_version_num.restype = ctypes.c_ulong
        if lib.OpenSSL_version_num() != ssl.OPENSSL_VERSION_NUMBER:
            return None
    except (OSError, AttributeError):
        return None
    lib.SSL_CTX_get_options.restype = ctypes.c_uint64
    lib.SSL_CTX_get_options.argtypes = [ctypes.c_void_p]
    lib.SSL_CTX_get_verify_mode.restype = ctypes.c_int
    lib.SSL_CTX_get_verify_mode.argtypes = [ctypes.c_void_p]
    lib.SSL_load_client_CA_file.restype = ctypes.c_void_p
    lib.SSL_load_client_CA_file.argtypes = [ctypes.c_char_p]
    lib.SSL_CTX_set_client_CA_list.restype = None
    lib.SSL_CTX_set_client_CA_list.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.SSL_add_file_cert_subjects_to_stack.restype = ctypes.c_int
    lib.SSL_add_file_cert_subjects_to_stack.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    return lib


def _ssl_ctx(context: ssl.SSLContext, lib: ctypes.CDLL) -> int | None:
    """The ``SSL_CTX *`` behind ``context``, checked against what Python says of it, or None."""
    pointer = ctypes.c_void_p.from_address(id(context) + object.__basicsize__).value
    if not pointer:
        return None
    options_seen = lib.SSL_CTX_get_options(pointer)
    verify_seen = lib.SSL_CTX_get_verify_mode(pointer)
    if options_seen != int(context.options) or verify_seen & 0x03 != _SSL_VERIFY[context.verify_mode]:
        return None
    return int(pointer)


def name_client_cas(context: ssl.SSLContext, ca_files: list[Path]) -> bool:
    """Name the subjects of the certificates in ``ca_files`` in the CertificateRequest; True when done.

    Call it after ``verify_mode`` is set (the check compares it). The files are the PEM files that
    ``load_verify_locations`` read; their subjects, not the certificates, go on the wire.
    """
    lib = _libssl()
    pointer = _ssl_ctx(context, lib) if lib is not None else None
    if lib is None or pointer is None:
        log.info("TLS: this Python's ssl cannot be given the client CA names; the CertificateRequest names none")
        return False
    first, *rest = ca_files
    names = lib.SSL_load_client_CA_file(str(first).encode())
    if not names:
        log.info("TLS: no CA name read from %s; the CertificateRequest names none", first.name)
        return False
    for ca_file in rest:  # in order: the issuing CA first, then the root
        lib.SSL_add_file_cert_subjects_to_stack(names, str(ca_file).encode())
    lib.SSL_CTX_set_client_CA_list(pointer, names)  # the context owns the list from here
    return True
