"""PIN checks in their own bounded pool: a burst of first installs neither delays the other requests nor piles up.

The web layer over a stand-in service whose PIN enrollment blocks until released, served by
aiohttp on 127.0.0.1 (plain HTTP: TLS is not what this is about, see test_instances.py).
"""

from __future__ import annotations

import asyncio
import base64
import threading
import time
from typing import Any

import aiohttp
from aiohttp import web

from issuer.pinpool import PinPool
from issuer.problems import EdgeProblem
from issuer.web import make_app

KEY = "ab" * 32


class StandIn:
    """What the routes under test call: a PIN enrollment that holds its thread, a quick lookup."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = 0

    def enroll_with_pin(self, *_a: Any, **_kw: Any) -> Any:
        self.entered += 1
        self.release.wait(30)
        raise EdgeProblem(401, "done", "Done", "released")

    def certificate_for_key(self, key: str) -> bytes:
        raise EdgeProblem(404, "answered", "Answered", f"looked up {key[:4]}")


async def scenario() -> dict[str, Any]:
    svc = StandIn()
    pool = PinPool(threads=1, queue=2)
    app = make_app(svc, pin_pool=pool)  # type: ignore[arg-type]
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}"
    basic = base64.b64encode(b"12345678901234:00000000").decode()
    headers = {"Content-Type": "application/pkcs10", "Authorization": f"Basic {basic}"}
    out: dict[str, Any] = {}
    try:
        async with aiohttp.ClientSession() as http:
            async def enroll() -> aiohttp.ClientResponse:
                async with http.post(url + "/.well-known/est/simpleenroll", headers=headers,
                                     data=base64.b64encode(b"0\x00")) as r:
                    await r.read()
                    return r

            burst = [asyncio.create_task(enroll()) for _ in range(3)]  # one running, two waiting: the pool is full
            while pool.held < 3:
                await asyncio.sleep(0.01)
            over = await enroll()  # one more: answered at once
            out["over"] = (over.status, over.headers.get("Retry-After"))
            started = time.monotonic()
            async with http.get(url + f"/api/v1/certificates/by-key/{KEY}") as r:  # the rest is served meanwhile
                out["other"] = (r.status, time.monotonic() - started)
            svc.release.set()
            out["burst"] = [r.status for r in await asyncio.gather(*burst)]
            out["entered"], out["held"] = svc.entered, pool.held
    finally:
        svc.release.set()
        await runner.cleanup()
        pool.shutdown()
    return out


def test_a_full_pin_pool_answers_busy_and_the_rest_is_served() -> None:
    out = asyncio.run(scenario())
    assert out["over"] == (503, "1")  # busy, with when to come back; no PIN was checked for it
    status, seconds = out["other"]
    assert status == 404 and seconds < 5  # not queued behind the PIN checks
    assert out["burst"] == [401, 401, 401]  # the three admitted were all checked, in turn
    assert out["entered"] == 3 and out["held"] == 0
