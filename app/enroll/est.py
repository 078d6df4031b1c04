"""The client side of the issuer: EST (RFC 7030) plus the JSON API, over TLS pinned to the issuer CA.

Pinning: ``requests`` lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` override a
session's ``verify``, so every call passes ``verify=<issuer CA>`` itself and the TLS
context for client certificates trusts only that CA. Proxies from the environment
are honoured. Only GETs are retried; an enrollment is never sent twice by us.

Trust boundaries (issue 11): the base URL must be ``https://`` (``http://`` has an adapter
that refuses to send); what ``/cacerts`` returns must be the pinned CA or chain to it,
and every certificate the issuer returns must chain to the pinned CA and carry the public
key we asked for, before anything reaches a store. A client certificate the issuer
refuses in the TLS handshake is ``IssuerRejectedCertificate``, not "unreachable".
The PIN travels in a Basic header we build ourselves: UTF-8 of the NFC form (RFC 7617).

Plain EST (issue 14): the EST operations alone suffice. The JSON API (``/api/v1/policy``, ``by-key``,
``me``) is a ZorgCert extension: ``policy()`` is None and ``certificate_for_key()`` is ``ABSENT`` where
the issuer does not serve it; csrattrs "not available" (204/404) is None; a 202 is
``EnrollmentDeferred``; a refusal without a problem document shows the server's own words
(``IssuerSaid``); an EST label (``/.well-known/est/<label>``) goes into every EST path.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import ssl
import sys
import tempfile
import threading
import unicodedata
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

from app.clock import utcnow
from app.enroll.chain import ChainUntrusted, path_to_pin, within_life
from app.enroll.protocol import absent, est_path, problem_error
from app.errors import (
    EnrollmentDeferred,
    ExtensionMissing,
    InsecureIssuerUrl,
    IssuedCertificateUntrusted,
    IssuerChainUntrusted,
    IssuerProtocolError,
    IssuerRefused,
    IssuerRejectedCertificate,
    IssuerSaid,
    IssuerTimeout,
    IssuerUnreachable,
    IssuerUntrusted,
    ZorgCertError,
)
from app.state.config import https_url

# connect, read (seconds). A read timeout is never retried, and a connect is retried once, so
# one request waits at most TOTAL_WAIT: a silent issuer is reported as such within that time.
TIMEOUT = (5.0, 15.0)
CONNECT_RETRIES = 1
TOTAL_WAIT = TIMEOUT[0] * (1 + CONNECT_RETRIES) + TIMEOUT[1]  # 25 s
TIMEOUT_VARIABLE = "ZORGCERT_ISSUER_TIMEOUT"  # seconds to wait for an answer (slow links; tests)


def default_timeout() -> tuple[float, float]:
    """(connect, read): ``TIMEOUT``, or the read wait of ``ZORGCERT_ISSUER_TIMEOUT`` (0.5 to 120 s)."""
    raw = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    try:
        read = min(max(float(raw), 0.5), 120.0) if raw else TIMEOUT[1]
    except ValueError:
        read = TIMEOUT[1]
    return (min(TIMEOUT[0], read), read)


EST = "/.well-known/est"  # without a label; ``IssuerClient.est`` is the path this client uses


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


class _RefuseCleartext(HTTPAdapter):
    """Mounted on ``http://``: nothing goes out unencrypted, not even after a redirect."""

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        raise InsecureIssuerUrl("refused to send over http://", url=str(request.url).split("?", 1)[0][:80],
                                source="ZorgCert")


def basic_authorization(user: str, secret: str) -> str:
    """An HTTP Basic ``Authorization`` value: base64 of the UTF-8 of the NFC form of ``user:secret`` (RFC 7617).

    ``requests`` would encode Latin-1: a PIN with ``é`` would differ from the issuer's and one
    with ``€`` would not encode at all. NFC makes a composed and a decomposed ``é`` the same.
    """
    raw = unicodedata.normalize("NFC", f"{user}:{secret}").encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


# TLS alerts (OpenSSL reason names) by which a server refuses the client certificate we presented
_REJECTION_ALERTS = (
    "ALERT_BAD_CERTIFICATE", "ALERT_UNKNOWN_CA", "ALERT_CERTIFICATE_UNKNOWN", "ALERT_CERTIFICATE_REVOKED",
    "ALERT_CERTIFICATE_EXPIRED", "ALERT_CERTIFICATE_REQUIRED", "ALERT_DECRYPT_ERROR",
    "ALERT_UNSUPPORTED_CERTIFICATE", "ALERT_ACCESS_DENIED",
)
# how a server that closes without an alert looks (asyncio/aiohttp does; TLS 1.3 shows it at the first read)
_DROPPED = ("UNEXPECTED_EOF", "EOF occurred", "RemoteDisconnected", "Connection reset", "ConnectionResetError",
            "Connection aborted", "BrokenPipe")


def _exception_text(exc: BaseException) -> str:
    """The text of an exception and everything it wraps (requests nests urllib3 nests ssl)."""
    parts, seen = [], set()
    todo: list[object] = [exc]
    while todo:
        current = todo.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        parts.append(f"{type(current).__name__}: {current}")
        todo += [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
    return " | ".join(parts)


def load_pinned(ca_file: Path) -> list[x509.Certificate]:
    """The certificates of the pinned CA file (one or more PEM certificates)."""
    try:
        return x509.load_pem_x509_certificates(Path(ca_file).read_bytes())
    except (OSError, ValueError) as exc:
        raise IssuerUntrusted(f"cannot read the issuer CA file ({exc.__class__.__name__})", url=str(ca_file)) from None


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def chain_to_pin(cert: x509.Certificate, intermediates: list[x509.Certificate],
                 pinned: list[x509.Certificate], *, now: datetime | None = None) -> bool:
    """Is ``cert`` a pinned certificate, or does it chain (through ``intermediates``) to one? (``app.enroll.chain``)

    At ``now``; by default at a moment inside ``cert``'s own life: its expiry is not this check's call.
    """
    try:
        path_to_pin(cert, intermediates, pinned, now=now or within_life(cert, utcnow()))
    except ChainUntrusted:
        return False
    return True


def verified_chain(certs: list[x509.Certificate], pinned: list[x509.Certificate]) -> list[x509.Certificate]:
    """``certs`` (from ``/cacerts``) if each is a CA that is pinned or chains to the pin, else ``IssuerChainUntrusted``.

    (A pin on an issuing CA alone does not work anyway: OpenSSL wants the TLS chain to end in a root.)
    """
    if not certs:
        raise IssuerChainUntrusted("/cacerts returned no certificate")
    for cert in certs:
        if not _is_ca(cert):
            raise IssuerChainUntrusted(f"/cacerts holds a non-CA certificate: {cert.subject.rfc4514_string()}")
        if not chain_to_pin(cert, certs, pinned):
            raise IssuerChainUntrusted(f"/cacerts holds {cert.subject.rfc4514_string()}, which does not chain to "
                                       "the pinned CA")
    return path_order(certs)


def path_order(certs: list[x509.Certificate]) -> list[x509.Certificate]:
    """``certs`` issuing CA first, root last: a PKCS#7 certs-only body is a SET, so a server's order means nothing
    (DER sorts a SET OF by encoding; RFC 7030 §4.1.3 names no order). Each certificate is followed by its issuer;
    certificates that link to none of the others keep their place after the path."""
    issuers = {c.subject.public_bytes(): c for c in certs}
    issued = {c.issuer.public_bytes() for c in certs if c.issuer != c.subject}
    start = [c for c in certs if c.subject.public_bytes() not in issued]  # issues none of the others
    ordered: list[x509.Certificate] = []
    for first in start:
        cert: x509.Certificate | None = first
        while cert is not None and cert not in ordered:
            ordered.append(cert)
            parent = issuers.get(cert.issuer.public_bytes())
            cert = parent if parent is not None and parent is not cert else None
    return ordered + [c for c in certs if c not in ordered]


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


def _certs_from_pkcs7(body: bytes) -> list[x509.Certificate]:
    try:
        return pkcs7.load_der_pkcs7_certificates(base64.b64decode(b"".join(body.split()), validate=True))
    except (binascii.Error, ValueError) as exc:
        raise IssuerProtocolError(f"not a base64 PKCS#7 certificate response ({exc.__class__.__name__})") from None


class IssuerClient:
    """Talks to one issuer, trusting only its CA."""

    ABSENT = "absent"  # certificate_for_key: the issuer has no by-key extension (a plain EST server)

    def __init__(self, base_url: str, ca_file: Path, *, timeout: tuple[float, float] | None = None,
                 label: str = ""):
        self.base_url = https_url(base_url, source="ZorgCert")  # defence in depth: config.issuer checked it too
        self.est = est_path(label)  # UsageError for a label that is not one path segment
        self._policy: dict[str, Any] | None | bool = False  # False: not asked yet
        self.ca_file = ca_file
        self.timeout = timeout or default_timeout()
        self._session = requests.Session()
        # urllib3 would retry a read timeout too, multiplying a silent issuer's wait: never retry a
        # read (a request that may have arrived), retry a failed connect once, a 502/503/504 twice
        retry = Retry(
            total=3,
            connect=CONNECT_RETRIES,
            read=False,  # False: a read timeout comes out as itself (ReadTimeout), not as "max retries"
            other=0,
            status=2,
            backoff_factor=0.5,
            allowed_methods={"GET"},
            status_forcelist=(502, 503, 504),
            raise_on_status=False,
        )
        self._session.mount("https://", _PinnedAdapter(_pinned_context(ca_file), retry))
        self._session.mount("http://", _RefuseCleartext())
        self.last_date: datetime | None = None
        self._pinned: list[x509.Certificate] | None = None
        self._chain: list[x509.Certificate] | None = None

    @property
    def pinned(self) -> list[x509.Certificate]:
        """The certificates of the configured CA file: the pin."""
        if self._pinned is None:
            self._pinned = load_pinned(self.ca_file)
        return self._pinned

    def _send(self, method: str, path: str, *, session: requests.Session | None = None, **kw: Any) -> requests.Response:
        url = self.base_url + path
        try:
            response = (session or self._session).request(
                method, url, verify=str(self.ca_file), timeout=self.timeout, **kw
            )
        except requests.exceptions.SSLError as exc:
            text = _exception_text(exc)
            if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
                raise IssuerUntrusted(str(exc.__class__.__name__), url=self.base_url) from None
            self._rejected_certificate(session, text)
            raise IssuerUnreachable(f"TLS: {exc.__class__.__name__}") from None
        except requests.exceptions.ConnectTimeout:
            raise IssuerUnreachable("no connection (connect timeout)") from None
        except requests.exceptions.Timeout:  # connected, but no answer in time
            raise IssuerTimeout("no answer in time", seconds=int(round(self.timeout[1])), url=self.base_url) from None
        except requests.exceptions.ConnectionError as exc:
            self._rejected_certificate(session, _exception_text(exc))
            raise IssuerUnreachable("no connection") from None
        date = response.headers.get("Date")
        if date:
            try:
                self.last_date = parsedate_to_datetime(date)
            except (TypeError, ValueError):
                pass
        if response.status_code >= 400:
            raise problem_error(response.status_code, response.headers.get("Content-Type", ""), response.content)
        return response

    def _rejected_certificate(self, session: requests.Session | None, text: str) -> None:
        """Raise ``IssuerRejectedCertificate`` if a failure with our client certificate was the issuer saying no.

        Only when we presented a certificate (``session`` is a client-certificate session). A TLS
        alert that names the certificate says so outright. A server that just hangs up (aiohttp does,
        without an alert; with TLS 1.3 that shows at the first read) is asked once more without the
        certificate: if it answers then, it was our certificate it refused.
        """
        if session is None:
            return
        if any(alert in text for alert in _REJECTION_ALERTS):
            raise IssuerRejectedCertificate(_reason(text), url=self.base_url) from None
        if not any(mark in text for mark in _DROPPED):
            return
        try:
            self._send("GET", f"{self.est}/cacerts")  # the standard's one public resource
        except ZorgCertError:
            return  # the issuer does not answer at all: unreachable
        raise IssuerRejectedCertificate("the issuer closed the connection after our certificate; "
                                        "it answers without one", url=self.base_url) from None

    @contextmanager
    def _with_certificate(self, cert: x509.Certificate, key: Any) -> Iterator[requests.Session]:
        session = requests.Session()
        session.mount("https://", _PinnedAdapter(client_context(self.ca_file, cert, key)))
        session.mount("http://", _RefuseCleartext())
        try:
            yield session
        finally:
            session.close()

    # --- public (no authentication) --------------------------------------------------

    def policy(self) -> dict[str, Any] | None:
        """The issuer's lifecycle durations (ISO 8601) and PIN limit; None when it has no JSON API (an extension).

        Asked once per client. Its answer is also how the client knows the extension is there at all.
        """
        if self._policy is False:
            try:
                body = self._send("GET", "/api/v1/policy").json()
            except (IssuerSaid, IssuerRefused) as exc:
                if not absent(exc):
                    raise
                self._policy = None
                return None
            except ValueError:
                raise IssuerProtocolError("/api/v1/policy is not JSON") from None
            self._policy = dict(body) if isinstance(body, dict) else None
        return self._policy if isinstance(self._policy, dict) else None

    def has_json_api(self) -> bool:
        """Does this issuer serve ZorgCert's JSON API (by-key, me)? Known from ``policy()``."""
        return self.policy() is not None

    def cacerts(self) -> list[x509.Certificate]:
        """The issuer's CA chain (issuing CA, root), each checked against the pinned CA (else IssuerChainUntrusted)."""
        if self._chain is None:
            certs = _certs_from_pkcs7(self._send("GET", f"{self.est}/cacerts").content)
            try:
                self._chain = verified_chain(certs, self.pinned)
            except IssuerChainUntrusted as exc:
                raise IssuerChainUntrusted(exc.details, url=self.base_url, ca_file=str(self.ca_file)) from None
        return list(self._chain)

    def check_issued(self, cert: x509.Certificate, public_key: Any) -> x509.Certificate:
        """``cert`` if it chains to the pinned CA (through ``/cacerts``) and carries ``public_key``."""
        problem = ""
        if cert.public_key() != public_key:
            problem = "the certificate does not carry the public key of our request"
        elif _is_ca(cert):
            problem = "the issuer returned a CA certificate"
        elif not chain_to_pin(cert, self.cacerts(), self.pinned):
            problem = "the certificate does not chain to the pinned issuer CA"
        if problem:
            raise IssuedCertificateUntrusted(problem, url=self.base_url)
        return cert

    def csrattrs(self) -> bytes | None:
        """The DER CSR attributes: which key the issuer wants; None when "not available" (§4.5.2: 204 or 404)."""
        try:
            response = self._send("GET", f"{self.est}/csrattrs")
        except (IssuerSaid, IssuerRefused) as exc:
            if absent(exc):
                return None
            raise
        body = response.content
        if response.status_code == 204 or not body.strip():
            return None
        try:
            return base64.b64decode(b"".join(body.split()), validate=True)
        except binascii.Error:
            raise IssuerProtocolError("csrattrs is not base64") from None

    def certificate_for_key(self, key_sha256: str) -> x509.Certificate | None | str:
        """The certificate the issuer made for this public key, if any (crash recovery; a ZorgCert extension).

        ``ABSENT`` when the issuer has no JSON API: then nobody can say (see ``ZorgCert._recover``).
        """
        if not self.has_json_api():
            return self.ABSENT
        try:
            response = self._send("GET", f"/api/v1/certificates/by-key/{key_sha256}")
        except IssuerRefused as exc:
            if exc.code == "not-found":
                return None
            raise
        try:
            cert = x509.load_pem_x509_certificate(response.content)
        except ValueError:
            raise IssuerProtocolError("by-key did not return a PEM certificate") from None
        spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)
        if hashlib.sha256(spki).hexdigest() != key_sha256.lower():
            raise IssuedCertificateUntrusted("by-key returned a certificate for another key", url=self.base_url)
        return self.check_issued(cert, cert.public_key())

    # --- enrollment ---------------------------------------------------------------------

    def simpleenroll(self, user_number: str, pin: str, csr_der: bytes) -> x509.Certificate:
        """R4/R6: a certificate for this CSR, authenticated with user number + PIN."""
        response = self._send(
            "POST",
            f"{self.est}/simpleenroll",
            data=base64.encodebytes(csr_der),
            headers={
                "Authorization": basic_authorization(user_number, pin),
                "Content-Type": "application/pkcs10",
                "Content-Transfer-Encoding": "base64",
            },
        )
        return self.check_issued(self._one_certificate(response), _csr_key(csr_der))

    def simplereenroll(self, cert: x509.Certificate, key: Any, csr_der: bytes) -> x509.Certificate:
        """R5: a renewed certificate, authenticated by the current one."""
        with self._with_certificate(cert, key) as session:
            response = self._send(
                "POST",
                f"{self.est}/simplereenroll",
                session=session,
                data=base64.encodebytes(csr_der),
                headers={"Content-Type": "application/pkcs10", "Content-Transfer-Encoding": "base64"},
            )
        return self.check_issued(self._one_certificate(response), _csr_key(csr_der))

    def me(self, cert: x509.Certificate, key: Any) -> dict[str, Any]:
        """What the issuer knows of this certificate's holder (R11: the contact person); a ZorgCert extension.

        ``ExtensionMissing`` where the issuer has no JSON API (404, 405, 501).
        """
        with self._with_certificate(cert, key) as session:
            try:
                body = self._send("GET", "/api/v1/me", session=session).json()
            except (IssuerSaid, IssuerRefused) as exc:
                if absent(exc):
                    raise ExtensionMissing("the issuer has no /api/v1/me", what="/api/v1/me") from None
                raise
        if not isinstance(body, dict):
            raise IssuerProtocolError("/api/v1/me is not a JSON object")
        return dict(body)

    def call(self, cert: x509.Certificate, key: Any, method: str, path: str, *,
             body: dict[str, Any] | None = None) -> Any:
        """One call to the JSON API with this certificate (user management, the message box: ``app.practice.api``).

        A state change sends ``body`` (default ``{}``) as JSON with ``X-ZorgCert-Request: 1``. The answer's JSON
        (None if empty); ``ExtensionMissing`` for 404/405/501 without a problem document; else as ``_send``.
        """
        if not path.startswith("/api/v1/"):
            raise ValueError("only the JSON API is called this way")
        with self._with_certificate(cert, key) as session:
            try:
                if method in ("GET", "HEAD"):
                    response = self._send(method, path, session=session)
                else:  # a state change: JSON, with the header an HTML form cannot set (issuer/guards.py)
                    response = self._send(method, path, session=session, json=body if body is not None else {},
                                          headers={"X-ZorgCert-Request": "1"})
            except IssuerSaid as exc:  # not our issuer's "not-found" problem: that names a missing user or message
                if absent(exc):
                    raise ExtensionMissing(f"the issuer has no {path}", what=path.split("?")[0]) from None
                raise
        if not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            raise IssuerProtocolError(f"{path.split('?')[0]} did not answer JSON") from None

    @staticmethod
    def _one_certificate(response: requests.Response) -> x509.Certificate:
        if response.status_code == 202:  # RFC 7030 §4.2.3: accepted, the certificate comes later
            raise EnrollmentDeferred(retry_after=response.headers.get("Retry-After"))
        if response.status_code != 200:
            raise IssuerProtocolError(f"HTTP {response.status_code} to an enrollment")
        certs = _certs_from_pkcs7(response.content)
        if not certs:
            raise IssuerProtocolError("no certificate in the response")
        return certs[0]


def _csr_key(csr_der: bytes) -> Any:
    """The public key of our own CSR: the one the issued certificate must carry."""
    return x509.load_der_x509_csr(csr_der).public_key()


def _reason(text: str) -> str:
    """The TLS alert's name from an exception text, for the log and Support (no secrets in it)."""
    return next((a for a in _REJECTION_ALERTS if a in text), "TLS alert")
