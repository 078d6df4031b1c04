"""A real issuer for tests: ``zorgcert-issuer`` run as a subprocess, HTTPS on 127.0.0.1.

Used by the issuer's own tests and, later, by the app's end-to-end tests.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7

from app.demo import localissuer
from app.demo.localissuer import LocalIssuer

ISSUER = localissuer.issuer_command()

API_HEADERS = {"X-ZorgCert-Request": "1"}
"""What the issuer's JSON API asks of every state change, besides application/json (issue 11 point 4)."""


def admin(data: Path, *args: str, check: bool = True, in_process: bool = False) -> Any:
    """Run one admin command with ``--data`` and ``--json``; the parsed JSON output.

    ``in_process``: ``zorgcert-issuer``'s ``main()`` in the test's process (about a second of CPU less than a new
    Python) for tests that use the command, not test its process; what it logs then goes to pytest's log capture,
    not to the stderr returned here."""
    argv = [*args, "--data", str(data), "--json"]
    if in_process:
        from issuer.cli import main

        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse's usage errors
                code = exc.code if isinstance(exc.code, int) else 1
        returncode, out_text, err_text = code, stdout.getvalue(), stderr.getvalue()
    else:
        proc = subprocess.run([*ISSUER, *argv], capture_output=True, text=True, timeout=120)
        returncode, out_text, err_text = proc.returncode, proc.stdout, proc.stderr
    if check and returncode != 0:
        raise AssertionError(f"zorgcert-issuer {' '.join(args)} exited {returncode}: {err_text}")
    out = json.loads(out_text) if out_text.strip() else None
    return out if check else (returncode, out, err_text)


def pin_from_letter(letter: Path) -> str:
    """Read the PIN from a letter file, as the user would."""
    match = re.search(r"^Pincode: (\d+)$", letter.read_text(encoding="utf-8"), re.M)
    assert match, f"no PIN line in {letter}"
    return match.group(1)


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def csr_der(key: Any, subject: x509.Name | None = None, san: x509.SubjectAlternativeName | None = None) -> bytes:
    subject = subject or x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "ignored")])
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    if san is not None:
        builder = builder.add_extension(san, critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def renewal_csr_der(key: Any, cert: x509.Certificate) -> bytes:
    """A renewal request as RFC 7030 §4.2.2 wants it: the certificate's Subject and SubjectAltName."""
    try:
        san: x509.SubjectAlternativeName | None = cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName
        ).value
    except x509.ExtensionNotFound:
        san = None
    return csr_der(key, cert.subject, san)


def certs_from_pkcs7_b64(body: bytes) -> list[x509.Certificate]:
    return pkcs7.load_der_pkcs7_certificates(base64.b64decode(body))


@dataclass
class RunningIssuer:
    data: Path
    local: LocalIssuer

    @property
    def url(self) -> str:
        return self.local.url

    @property
    def process(self) -> subprocess.Popen[bytes]:
        return self.local.process
    _service: Any = field(default=None, init=False, repr=False)

    @property
    def ca(self) -> str:
        return str(self.local.ca)

    @property
    def log_lines(self) -> list[str]:
        """What the issuer has logged so far, complete lines only (a line being written comes next time)."""
        try:
            with open(self.local.log, "rb") as fh:
                fh.seek(self.local.log_offset)
                lines = fh.read().decode("utf-8", "replace").splitlines(keepends=True)
        except FileNotFoundError:
            return []
        return lines if not lines or lines[-1].endswith("\n") else lines[:-1]

    def admin(self, *args: str, check: bool = True, process: bool = False) -> Any:
        """An admin command on this issuer's data folder, in the test's process unless ``process``."""
        return admin(self.data, *args, check=check, in_process=not process)

    def service(self) -> Any:
        """The issuer's service over this data folder, in the test's process: what the admin commands
        call, without a Python start-up (about a second of CPU) per call. Opened on first use."""
        if self._service is None:
            from issuer.bootstrap import open_service

            self._service = open_service(self.data)
        return self._service

    def organisation(self, name: str = "Huisartsenpraktijk De Linde", *, agreement: bool = True) -> int:
        """A registered organisation (``org add``), with its agreement signed (``org agreement``)."""
        org_id = self.service().add_organisation(name, "01234567")
        if agreement:
            self.service().sign_agreement(org_id)
        return int(org_id)

    def user(
        self,
        org_id: int,
        *,
        kind: str = "personal",
        name: str = "Anna de Vries",
        contact_person: bool = False,
        extra: tuple[str, ...] = (),
    ) -> tuple[str, str]:
        """A new approved user (``user add``): (user number, PIN read from the letter)."""
        if not extra:
            new = self.service().add_user(org_id=org_id, kind=kind, name=name, email="anna@example.nl",
                                          contact_person=contact_person, authorisations=None)
            return new.user_number, pin_from_letter(Path(new.letter))
        args = [
            "user",
            "add",
            "--org",
            str(org_id),
            "--kind",
            kind,
            "--name",
            name,
            "--email",
            "anna@example.nl",
            *extra,
        ]
        if contact_person:
            args.append("--contact-person")
        out = self.admin(*args)
        return out["user_number"], pin_from_letter(Path(out["letter"]))

    def post(self, path: str, **kw: Any) -> requests.Response:
        return requests.post(self.url + path, verify=self.ca, timeout=30, **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return requests.get(self.url + path, verify=self.ca, timeout=30, **kw)

    def enroll(self, user_number: str, pin: str, key: Any) -> requests.Response:
        """EST simpleenroll with HTTP Basic user number + PIN."""
        return self.post(
            "/.well-known/est/simpleenroll",
            auth=(user_number, pin),
            data=base64.b64encode(csr_der(key)),
            headers={"Content-Type": "application/pkcs10"},
        )

    def stop(self) -> int:
        return self.local.stop()


def problem(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    """Assert an RFC 9457 problem with this status and code; its body."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].endswith(code) and body["code"] == code
    return body


TEST_CA_KEY_BITS = (2048, 2048)
"""RSA sizes of the root and issuing CA keys of the test issuers: the shipped 4096 and 3072 cost 1-2 s of
CPU per issuer. ``tests/issuer/test_ca.py``, the PostgreSQL tests (``init`` as a subprocess) and the demo
keep the shipped sizes; ``ca_key_bits=issuer.ca.CA_KEY_BITS`` gives :func:`start_issuer` an issuer with them."""


def start_issuer(
    data: Path,
    *,
    validity: str = "P2Y",
    renewal_window: str = "P1M",
    install_window: str = "P60D",
    max_pin_attempts: int = 5,
    extra_serve_args: tuple[str, ...] = (),
    est_only: bool = False,
    extra_init_args: tuple[str, ...] = (),
    extra_toml: str = "",
    ca_key_bits: tuple[int, int] = TEST_CA_KEY_BITS,
) -> RunningIssuer:
    """Create a fresh data folder with these durations (what ``init`` does, in the test's process: no
    Python start-up per issuer) and ``serve`` it on a free port.

    ``est_only`` serves it with ``--est-only`` (RFC 7030 paths only); ``extra_init_args`` are ``init``'s
    options ``--enroll-approval MODE`` and ``--approval-retry-after SECONDS``; ``extra_toml`` is appended
    to ``issuer.toml`` before it is served (whole tables, e.g. ``[est.labels]``).
    """
    from issuer.bootstrap import init_issuer

    init_options = _init_options(extra_init_args)
    init_issuer(
        data.expanduser().resolve(),
        name="ZorgCert Demo",
        hostnames=["localhost"],
        ips=["127.0.0.1"],
        durations={
            "validity": validity,
            "renewal_window": renewal_window,
            "install_window": install_window,
            "max_pin_attempts": max_pin_attempts,
        },
        ca_key_bits=ca_key_bits,
        **init_options,
    )
    if extra_toml:
        with open(data / "issuer.toml", "a", encoding="utf-8") as fh:
            fh.write("\n" + extra_toml)
    return serve_issuer(data, (*extra_serve_args, "--est-only") if est_only else extra_serve_args)


def _init_options(args: tuple[str, ...]) -> dict[str, Any]:
    """``init``'s approval options as ``init_issuer`` keywords (the harness makes issuers in process)."""
    names = {"--enroll-approval": ("enroll_approval", str), "--approval-retry-after": ("approval_retry_after", int)}
    if len(args) % 2:
        raise ValueError(f"extra_init_args come in pairs: {args}")
    options: dict[str, Any] = {}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        if flag not in names:
            raise ValueError(f"the harness does not pass {flag} to init_issuer (add it to _init_options)")
        keyword, kind = names[flag]
        options[keyword] = kind(value)
    return options


def serve_issuer(
    data: Path, extra_serve_args: tuple[str, ...] = (), *, command_prefix: tuple[str, ...] = ()
) -> RunningIssuer:
    """``serve`` an existing data folder on a free port; returns once it listens (its ready file).

    ``command_prefix`` runs it under another command, e.g. ``("prlimit", "--nofile=256:256")``.
    Its output goes to a log file of its own next to ``data`` (``log_lines`` reads it).
    """
    fd, log = tempfile.mkstemp(prefix="issuer-", suffix=".log", dir=data.parent)
    os.close(fd)
    try:
        local = localissuer.start(data, log=Path(log), args=extra_serve_args,
                                  command=[*command_prefix, *ISSUER])
    except localissuer.IssuerDidNotStart as exc:
        raise AssertionError(f"{exc}:\n" + Path(log).read_text(errors="replace")[-4000:]) from None
    return RunningIssuer(data, local)


class Holder:
    """A certificate holder on the test side: key and certificate as files for requests."""

    def __init__(self, issuer: RunningIssuer, folder: Path):
        self.issuer, self.folder = issuer, folder
        folder.mkdir(parents=True, exist_ok=True)
        self.key = rsa_key()
        self.cert: x509.Certificate | None = None

    def take(self, response: requests.Response) -> x509.Certificate:
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("application/pkcs7-mime")
        (cert,) = certs_from_pkcs7_b64(response.content)
        self.cert = cert
        (self.folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (self.folder / "key.pem").write_bytes(
            self.key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return cert

    @property
    def tls(self) -> tuple[str, str]:
        return str(self.folder / "cert.pem"), str(self.folder / "key.pem")

    def get(self, path: str) -> requests.Response:
        return self.issuer.get(path, cert=self.tls)

    def post(self, path: str, **kw: Any) -> requests.Response:
        """A POST as the issuer's own clients send it (with :data:`API_HEADERS`)."""
        kw["headers"] = {**API_HEADERS, **kw.get("headers", {})}
        return self.issuer.post(path, cert=self.tls, **kw)

    def request(self, method: str, path: str, **kw: Any) -> requests.Response:
        kw["headers"] = {**API_HEADERS, **kw.get("headers", {})}
        return requests.request(
            method, self.issuer.url + path, cert=self.tls, verify=self.issuer.ca, timeout=30, **kw
        )

    def renew(self, new_key: Any) -> requests.Response:
        assert self.cert is not None
        return self.post(
            "/.well-known/est/simplereenroll",
            data=base64.b64encode(renewal_csr_der(new_key, self.cert)),
            headers={"Content-Type": "application/pkcs10"},
        )


def module_issuer(folder: str = "issuer", **settings: Any) -> Any:
    """A module-scoped ``issuer`` fixture: ``start_issuer`` with ``settings`` (durations and the rest) in a
    folder of its own, stopped after the module. In a test module: ``issuer = module_issuer(validity="PT10M")``."""

    @pytest.fixture(scope="module")
    def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
        running = start_issuer(Path(tmp_path_factory.mktemp(folder)) / "data", **settings)
        yield running
        running.stop()

    return issuer


def until_not_busy(send: Callable[[], requests.Response], tries: int = 20) -> requests.Response:
    """Send again after the issuer's Retry-After while it answers 503 busy (a worker's PIN queue is full).

    As a client does. The queue is bounded per worker (docs/issuer.md, "Capacity"), and the kernel
    does not share an instance's connections evenly between its workers: 25 at once can fill one.
    """
    for _ in range(tries):
        answer = send()
        if answer.status_code != 503:
            return answer
        assert problem(answer, 503, "busy")["retry_after"] >= 1
        time.sleep(float(answer.headers.get("Retry-After", "1")))
    raise AssertionError(f"still busy after {tries} tries")


def simultaneously(count: int, call: Callable[[int], requests.Response]) -> list[requests.Response]:
    """``call(i)`` for i in range(count), each in its own thread, released together."""
    barrier = threading.Barrier(count)
    results: list[requests.Response | BaseException | None] = [None] * count

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = call(i)
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    errors = [r for r in results if not isinstance(r, requests.Response)]
    assert not errors, errors
    return [r for r in results if isinstance(r, requests.Response)]
