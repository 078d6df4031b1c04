"""CPU per renewal inside the issuer, in process: service (signature and the rest), event loop, SQL statements.

A measurement that holds on a busy machine: CPU time of the thread that does the work
(``time.thread_time`` / the thread's CPU clock), not wall time, medians over many runs.

* **service**: ``IssuerService.renew`` called N times in this thread (no HTTP); split into the
  certificate's build + signature (``ca.issue_client_certificate``) and everything else (CSR
  and certificate parsing, the rules, SQL); SQL statements per renewal counted on the engines;
* **event loop**: a real issuer app (TLS, the middlewares and access log of ``serve``) in a thread
  of this process, a client in another thread renewing over a new TLS connection each time (as
  clients do); the loop thread's CPU per renewal, beside its CPU for a connection that only shakes
  hands and closes; the difference is the web layer (HTTP, middlewares, log, PKCS#7 shaping);
* **first install**: ``enroll_with_pin`` in process, its CPU minus the PIN check.

    .venv/bin/python bench/issuer_renewal_cpu.py [-n 300] [--postgres] [--no-web]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

from bench.common import child_env, header, python
from bench.issuer_load import PG_BIN, RenewingHolder, postgres


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


@contextmanager
def statements(engines: list[Any]) -> Iterator[list[str]]:
    """Every SQL statement the engines send while inside (the text, first line)."""
    from sqlalchemy import event

    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_a: Any) -> None:
        seen.append(statement.split("\n", 1)[0])

    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


class Timed:
    """Wraps a method of one object: the thread CPU of each call, appended to ``spent``."""

    def __init__(self, owner: Any, name: str) -> None:
        self.spent: list[float] = []
        inner = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return inner(*args, **kwargs)
            finally:
                self.spent.append(time.thread_time() - started)

        setattr(owner, name, timed)


def renewal_csr(key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> bytes:
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return (x509.CertificateSigningRequestBuilder().subject_name(cert.subject).add_extension(san, critical=False)
            .sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))


def service_figures(svc: Any, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey, n: int) -> x509.Certificate:
    """Renew ``n`` times in this thread; print the CPU split and the SQL statements per renewal."""
    csr = renewal_csr(key, cert)
    for _ in range(10):  # warm: caches of SQLAlchemy's compiled statements, the pool
        cert = svc.renew(cert.public_bytes(serialization.Encoding.DER), csr)
    signing = Timed(svc.ca, "issue_client_certificate")
    engines = list(dict.fromkeys([svc._sessions.kw["bind"], svc._write_sessions.kw["bind"]]))
    dialect = engines[-1].dialect
    # the database driver's own work (SQLite's engine runs in this thread; psycopg waits for the server)
    driver = [Timed(dialect, name) for name in ("do_execute", "do_execute_no_params", "do_commit", "do_begin")]
    totals: list[float] = []
    in_driver: list[float] = []
    with statements(engines) as seen:
        for _ in range(n):
            der = cert.public_bytes(serialization.Encoding.DER)
            before = sum(sum(d.spent) for d in driver)
            started = time.thread_time()
            cert = svc.renew(der, csr)
            totals.append(time.thread_time() - started)
            in_driver.append(sum(sum(d.spent) for d in driver) - before)
    for name in ("issue_client_certificate",):
        delattr(svc.ca, name)  # the class's methods again
    for name in ("do_execute", "do_execute_no_params", "do_commit", "do_begin"):
        delattr(dialect, name)
    total, sign, db = statistics.median(totals), statistics.median(signing.spent), statistics.median(in_driver)
    rest = statistics.median(t - s - d for t, s, d in zip(totals, signing.spent, in_driver, strict=True))
    print(f"service renew (median of {n}): {ms(total)} CPU; certificate build + signature {ms(sign)}; "
          f"database driver (execute, commit: {dialect.name}) {ms(db)}; Python and the rest {ms(rest)}")
    print(f"SQL statements per renewal: {len(seen) / n:.1f} ({', '.join(sorted(set(s[:40] for s in seen)))})")
    return cert


def install_figures(svc: Any, users: list[tuple[str, str]]) -> None:
    """First installs in process: CPU per install beside the PIN check's."""
    hashing = Timed(svc._pins, "verify")
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "cpu")]))
           .sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
    totals = []
    for number, pin in users:
        started = time.thread_time()
        svc.enroll_with_pin(number, pin, csr)
        totals.append(time.thread_time() - started)
    del svc._pins.verify
    total, pin_check = statistics.median(totals), statistics.median(hashing.spent)
    rest = statistics.median(t - h for t, h in zip(totals, hashing.spent, strict=True))
    print(f"first install (median of {len(users)}): {ms(total)} CPU; PIN check {ms(pin_check)}; "
          f"everything else {ms(rest)}; {pin_check / total:.2f} of it is the PIN check")


def thread_cpu(ident: int) -> float:
    return time.clock_gettime(time.pthread_getcpuclockid(ident))


def web_figures(data: Path, svc: Any, holder: RenewingHolder, n: int, profile: Path | None = None) -> None:
    """The event loop's CPU per renewal over TLS, beside its CPU for a bare handshake."""
    from aiohttp import web

    from issuer.config import load_config
    from issuer.pinpool import PinPool
    from issuer.server import ACCESS_LOG_FORMAT, tls_context
    from issuer.site import GuardedSite, busy_middleware
    from issuer.web import make_app

    cfg = load_config(data)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=open(os.devnull, "w"))  # as serve logs, to nowhere
    logging.getLogger("aiohttp.access").setLevel(logging.INFO)
    from issuer import server as issuer_server

    factory = getattr(issuer_server, "event_loop_factory", lambda: None)()  # what serve runs on
    loop = factory() if factory else asyncio.new_event_loop()
    started = threading.Event()
    port: list[int] = []

    async def run() -> None:
        app = make_app(svc, proxy=None, body_timeout=15.0, est_only=False, est_labels=cfg.est_labels,
                       pin_pool=PinPool.for_workers(1))
        kwargs: dict[str, Any] = {"access_log_format": ACCESS_LOG_FORMAT, "keepalive_timeout": 15.0}
        busy: set[web.RequestHandler] = set()
        app.middlewares.insert(0, busy_middleware(busy))
        runner = web.AppRunner(app, handle_signals=False, **kwargs)
        await runner.setup()
        site = GuardedSite(runner, "127.0.0.1", 0, ssl_context=tls_context(cfg), cap=256, handler_kwargs=kwargs,
                           busy=busy, handshake_timeout=10.0)
        await site.start()
        port.append(site.port)
        started.set()

    server = threading.Thread(target=lambda: (loop.run_until_complete(run()), loop.run_forever()), daemon=True)
    server.start()
    started.wait(30)
    assert server.ident is not None
    host, p = "127.0.0.1", port[0]

    def bare() -> None:
        with socket.create_connection((host, p)) as raw, holder.ctx.wrap_socket(raw, server_hostname="localhost"):
            pass

    whole: list[float] = []  # the process less this (client) thread: loop + worker threads

    def loop_cpu(fn: Callable[[], object], runs: int) -> float:
        spent = []
        whole.clear()
        for _ in range(runs):
            before, process, client = thread_cpu(server.ident), time.process_time(), time.thread_time()  # type: ignore[arg-type]
            fn()
            time.sleep(0.003)  # the loop finishes the connection's close
            spent.append(thread_cpu(server.ident) - before)  # type: ignore[arg-type]
            whole.append(time.process_time() - process - (time.thread_time() - client))
        return statistics.median(spent)

    for _ in range(10):
        status, body, _ = holder.renew(host, p)
        assert status == 200, body
    renew_s = loop_cpu(lambda: holder.renew(host, p), n)
    renew_all = statistics.median(whole)
    shake_s = loop_cpu(bare, n)
    if profile is not None:  # the loop thread only, over n more renewals
        import cProfile

        profiler = cProfile.Profile(time.thread_time)
        done = threading.Event()
        loop.call_soon_threadsafe(lambda: (profiler.enable(), done.set()))
        done.wait(10)
        for _ in range(n):
            holder.renew(host, p)
        done.clear()
        loop.call_soon_threadsafe(lambda: (profiler.disable(), done.set()))
        done.wait(10)
        profiler.dump_stats(profile)
    kind = type(loop).__module__.split(".")[0]
    print(f"event loop ({kind}) per renewal over TLS (median of {n}): {ms(renew_s)} CPU; a bare TLS handshake + close "
          f"{ms(shake_s)}; web layer (HTTP, middlewares, access log, PKCS#7) {ms(renew_s - shake_s)}")
    print(f"issuer per renewal over TLS, every thread of this process but the client's: {ms(renew_all)} CPU")
    loop.call_soon_threadsafe(loop.stop)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=300, help="renewals per figure")
    ap.add_argument("--installs", type=int, default=8, help="first installs (each a PIN hash)")
    ap.add_argument("--postgres", action=argparse.BooleanOptionalAction, default=False,
                    help="a throwaway PostgreSQL 15 instead of SQLite")
    ap.add_argument("--web", action=argparse.BooleanOptionalAction, default=True, help="also the event loop's CPU")
    ap.add_argument("--profile", type=Path, metavar="FILE", help="cProfile of the event-loop thread (pstats)")
    args = ap.parse_args()
    if args.postgres and not (PG_BIN / "initdb").exists():
        print("PostgreSQL 15's server binaries are not there", file=sys.stderr)
        return 2
    header(f"issuer CPU per renewal, in process: {'PostgreSQL' if args.postgres else 'SQLite'}")
    print(f"# load average (1 min) before: {os.getloadavg()[0]:.2f}")
    folder = Path(tempfile.mkdtemp(prefix="zorgcert-renewal-cpu-"))
    try:
        with postgres() if args.postgres else _none() as url:
            data = folder / "issuer"
            init = [python(), "-m", "issuer.cli", "init", "--data", str(data), "--hostname", "localhost", "--ip",
                    "127.0.0.1", "--validity", "P2Y", "--renewal-window", "P2Y"]
            subprocess.run([*init, *(["--db", url] if url else [])], check=True, capture_output=True,
                           env=child_env())
            from issuer.bootstrap import open_service

            svc = open_service(data)
            org = svc.add_organisation("Huisartsenpraktijk De Linde", "01234567")
            svc.sign_agreement(org)

            def user(i: int) -> tuple[str, str]:
                new = svc.add_user(org_id=org, kind="personal", name=f"Gebruiker {i}", email="cpu@example.invalid")
                pin = re.search(r"^Pincode: (\d+)$", Path(new.letter).read_text(encoding="utf-8"), re.M)
                assert pin
                return new.user_number, pin.group(1)

            users = [user(i) for i in range(args.installs + 2)]
            key = ec.generate_private_key(ec.SECP256R1())
            csr = (x509.CertificateSigningRequestBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "cpu")]))
                   .sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
            cert = svc.enroll_with_pin(*users.pop(), csr)
            cert = service_figures(svc, cert, key, args.n)
            install_figures(svc, users[: args.installs])
            issuing = svc.ca._key
            tbs = os.urandom(900)
            sig = []
            for _ in range(100):
                t0 = time.thread_time()
                issuing.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
                sig.append(time.thread_time() - t0)
            print(f"bare issuing-key signature (RSA-{issuing.key_size}, median of 100): {ms(statistics.median(sig))}")
            if args.web:
                (folder / "holder").mkdir()
                holder = RenewingHolder(_root_ca(data), key, cert, folder / "holder")
                web_figures(data, svc, holder, args.n, args.profile)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"# load average (1 min) after: {os.getloadavg()[0]:.2f}")
    return 0


def _root_ca(data: Path) -> str:
    from issuer.config import load_config

    return str(load_config(data).root_ca_pem)


@contextmanager
def _none() -> Iterator[str]:
    yield ""


if __name__ == "__main__":
    sys.exit(main())
