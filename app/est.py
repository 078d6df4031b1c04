"""The client side of the issuer: EST (RFC 7030) plus the JSON API, over TLS pinned to the issuer CA.

Pinning: ``requests`` lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` override a
session's ``verify``, so every call passes ``verify=<issuer CA>`` itself and the TLS
context for client certificates trusts only that CA. Proxies from the environment
are honoured. Only GETs are retried; an enrollment is never sent twice by us.
"""

from __future__ import annotations

import base64
import binascii
import os
import ssl
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from app.errors import IssuerProtocolError, IssuerRefused, IssuerUnreachable, IssuerUntrusted, RenewalNotOpen

TIMEOUT = (5.0, 30.0)  # connect, read
EST = "/.well-known/est"


class _PinnedAdapter(HTTPAdapter):
    """An adapter whose TLS context trusts only the issuer CA and may carry a client certificate."""

    def __init__(self, context: ssl.SSLContext, retries: Retry | int = 0):
        self._context = context
        super().__init__(max_retries=retries)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["ssl_context"] = self._context
        return super().proxy_manager_for(*args, **kwargs)


def _pinned_context(ca_file: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(ca_file))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


@contextmanager
def _pem_path(pem: bytes) -> Iterator[str]:
    """A path OpenSSL can read ``pem`` from once: a pipe where the OS has ``/dev/fd``.

    Elsewhere (Windows) an owner-only temporary file, deleted as soon as it was read.
    """
    if sys.platform != "win32" and os.path.isdir("/dev/fd"):
        r, w = os.pipe()

        def feed() -> None:
            with os.fdopen(w, "wb") as fh:
                fh.write(pem)

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            yield f"/dev/fd/{r}"
        finally:
            os.close(r)
            writer.join(timeout=5)
        return
    fd, name = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        yield name
    finally:
        os.unlink(name)


def client_context(ca_file: Path, cert: x509.Certificate, key: Any) -> ssl.SSLContext:
    """A TLS context that trusts only the issuer CA and presents ``cert`` with ``key``."""
    ctx = _pinned_context(ca_file)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # one pipe each: OpenSSL opens the certificate file and the key file once apiece
    with _pem_path(cert.public_bytes(serialization.Encoding.PEM)) as cert_path, _pem_path(key_pem) as key_path:
        ctx.load_cert_chain(cert_path, key_path)
    return ctx


def _problem(response: requests.Response) -> IssuerRefused | IssuerProtocolError:
    """The issuer's RFC 9457 refusal as an error the CLI and GUI can explain."""
    try:
        body = response.json()
        code = str(body.get("code") or body.get("type", "").rsplit(":", 1)[-1])
    except ValueError:
        return IssuerProtocolError(f"HTTP {response.status_code} without a problem document")
    if not code:
        return IssuerProtocolError(f"HTTP {response.status_code}")
    detail = str(body.get("detail", ""))
    if code == "renewal-not-open":
        return RenewalNotOpen(str(body.get("opens_at", "")), detail)
    extras = {k: v for k, v in body.items() if k not in ("type", "title", "status", "detail", "code")}
    return IssuerRefused(code, detail, **extras)


def _certs_from_pkcs7(body: bytes) -> list[x509.Certificate]:
    try:
        return pkcs7.load_der_pkcs7_certificates(base64.b64decode(b"".join(body.split()), validate=True))
    except (binascii.Error, ValueError) as exc:
        raise IssuerProtocolError(f"not a base64 PKCS#7 certificate response ({exc.__class__.__name__})") from None


class IssuerClient:
    """Talks to one issuer, trusting only its CA."""

    def __init__(self, base_url: str, ca_file: Path, *, timeout: tuple[float, float] = TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.ca_file = ca_file
        self.timeout = timeout
        self._session = requests.Session()
        retry = Retry(
            total=3,
            backoff_factor=0.5,
            allowed_methods={"GET"},
            status_forcelist=(502, 503, 504),
            raise_on_status=False,
        )
        self._session.mount("https://", _PinnedAdapter(_pinned_context(ca_file), retry))
        self.last_date: datetime | None = None

    def _send(self, method: str, path: str, *, session: requests.Session | None = None, **kw: Any) -> requests.Response:
        url = self.base_url + path
        try:
            response = (session or self._session).request(
                method, url, verify=str(self.ca_file), timeout=self.timeout, **kw
            )
        except requests.exceptions.SSLError as exc:
            if "CERTIFICATE_VERIFY_FAILED" in str(exc) or "certificate verify failed" in str(exc):
                raise IssuerUntrusted(str(exc.__class__.__name__), url=self.base_url) from None
            raise IssuerUnreachable(f"TLS: {exc.__class__.__name__}") from None
        except requests.exceptions.Timeout:
            raise IssuerUnreachable("timeout") from None
        except requests.exceptions.ConnectionError:
            raise IssuerUnreachable("no connection") from None
        date = response.headers.get("Date")
        if date:
            try:
                self.last_date = parsedate_to_datetime(date)
            except (TypeError, ValueError):
                pass
        if response.status_code >= 400:
            raise _problem(response)
        return response

    @contextmanager
    def _with_certificate(self, cert: x509.Certificate, key: Any) -> Iterator[requests.Session]:
        session = requests.Session()
        session.mount("https://", _PinnedAdapter(client_context(self.ca_file, cert, key)))
        try:
            yield session
        finally:
            session.close()

    # --- public (no authentication) --------------------------------------------------

    def policy(self) -> dict[str, Any]:
        """The issuer's lifecycle durations (ISO 8601) and PIN limit."""
        return dict(self._send("GET", "/api/v1/policy").json())

    def cacerts(self) -> list[x509.Certificate]:
        """The issuer's CA chain (issuing CA, root)."""
        return _certs_from_pkcs7(self._send("GET", f"{EST}/cacerts").content)

    def csrattrs(self) -> bytes:
        """The DER CSR attributes: which key the issuer wants."""
        body = self._send("GET", f"{EST}/csrattrs").content
        try:
            return base64.b64decode(b"".join(body.split()), validate=True)
        except binascii.Error:
            raise IssuerProtocolError("csrattrs is not base64") from None

    def certificate_for_key(self, key_sha256: str) -> x509.Certificate | None:
        """The certificate the issuer made for this public key, if any (crash recovery)."""
        try:
            response = self._send("GET", f"/api/v1/certificates/by-key/{key_sha256}")
        except IssuerRefused as exc:
            if exc.code == "not-found":
                return None
            raise
        return x509.load_pem_x509_certificate(response.content)

    # --- enrollment ---------------------------------------------------------------------

    def simpleenroll(self, user_number: str, pin: str, csr_der: bytes) -> x509.Certificate:
        """R4/R6: a certificate for this CSR, authenticated with user number + PIN."""
        response = self._send(
            "POST",
            f"{EST}/simpleenroll",
            auth=(user_number, pin),
            data=base64.encodebytes(csr_der),
            headers={"Content-Type": "application/pkcs10", "Content-Transfer-Encoding": "base64"},
        )
        return self._one_certificate(response)

    def simplereenroll(self, cert: x509.Certificate, key: Any, csr_der: bytes) -> x509.Certificate:
        """R5: a renewed certificate, authenticated by the current one."""
        with self._with_certificate(cert, key) as session:
            response = self._send(
                "POST",
                f"{EST}/simplereenroll",
                session=session,
                data=base64.encodebytes(csr_der),
                headers={"Content-Type": "application/pkcs10", "Content-Transfer-Encoding": "base64"},
            )
        return self._one_certificate(response)

    def me(self, cert: x509.Certificate, key: Any) -> dict[str, Any]:
        """What the issuer knows of this certificate's holder (R11: the contact person)."""
        with self._with_certificate(cert, key) as session:
            return dict(self._send("GET", "/api/v1/me", session=session).json())

    @staticmethod
    def _one_certificate(response: requests.Response) -> x509.Certificate:
        certs = _certs_from_pkcs7(response.content)
        if not certs:
            raise IssuerProtocolError("no certificate in the response")
        return certs[0]
