"""``zorgcert-issuer serve``: HTTPS with optional client certificates, the R3 purge on a timer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import ssl
from datetime import datetime

from aiohttp import web

from app.policy import Span
from issuer.config import IssuerConfig
from issuer.service import IssuerService
from issuer.web import make_app

log = logging.getLogger("zorgcert.issuer")

_X509_V_FLAG_NO_CHECK_TIME = 0x200000

ACCESS_LOG_FORMAT = '%a "%r" %s %b %Tfs'
"""One line per request: address, request line, status, size, time. No headers: no secrets."""


def tls_context(cfg: IssuerConfig) -> ssl.SSLContext:
    """Server TLS that asks for, but does not require, a client certificate from our CA."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cfg.tls_cert, cfg.tls_key)
    ctx.load_verify_locations(cafile=str(cfg.ca_dir / "issuing-ca.pem"))
    ctx.load_verify_locations(cafile=str(cfg.ca_dir / "root-ca.pem"))
    ctx.verify_mode = ssl.CERT_OPTIONAL
    # Accept an expired client certificate in the handshake (OpenSSL's X509_V_FLAG_NO_CHECK_TIME;
    # Python has no name for it): the service then answers "certificate-expired: reinstall with
    # the PIN" instead of a dropped connection. Chain and signature are still verified here, and
    # the service checks every certificate against its database and its own clock.
    ctx.verify_flags |= _X509_V_FLAG_NO_CHECK_TIME
    return ctx


def purge_interval(span: Span) -> float:
    """Seconds between R3 purges: a quarter of the install window, between 1 s and 1 h."""
    probe = datetime(2000, 1, 1)
    seconds = ((probe + span) - probe).total_seconds()
    return min(max(seconds / 4, 1.0), 3600.0)


async def _purge_forever(service: IssuerService, interval: float) -> None:
    while True:
        try:
            purged = await asyncio.get_running_loop().run_in_executor(None, service.purge)
            if purged:
                log.info("purged %d certificate(s) not installed within the install window", len(purged))
        except Exception:
            log.exception("purge failed; will try again")
        await asyncio.sleep(interval)


async def serve(
    cfg: IssuerConfig,
    service: IssuerService,
    *,
    host: str,
    port: int,
    proxy_header: str | None = None,
    trusted_proxies: frozenset[str] = frozenset({"127.0.0.1", "::1"}),
) -> None:
    """Serve until SIGTERM or SIGINT; then finish open requests and stop."""
    proxy = (proxy_header, trusted_proxies) if proxy_header else None
    app = make_app(service, proxy=proxy)
    runner = web.AppRunner(app, access_log_format=ACCESS_LOG_FORMAT, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(
        runner, host, port, ssl_context=None if proxy else tls_context(cfg), shutdown_timeout=5
    )
    await site.start()
    sockets = getattr(site._server, "sockets", None) or []  # the real port when 0 was asked
    bound = sockets[0].getsockname()[1] if sockets else port
    scheme = "http" if proxy else "https"
    print(f"ZorgCert issuer listening on {scheme}://{host}:{bound}/", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    purger = asyncio.create_task(_purge_forever(service, purge_interval(cfg.durations.install_window)))
    try:
        await stop.wait()
    finally:
        purger.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await purger
        await runner.cleanup()
        print("ZorgCert issuer stopped", flush=True)
