"""A bounded pool for PIN checks: a few threads for the slow hash and a short queue; past it, "busy".

A PIN enrollment (first install, reinstall) costs a deliberately slow hash (:mod:`issuer.pins`).
It runs here, never in the pool that serves renewals and the holder's requests, so a burst of
first installs waits in its own queue, and one longer than the queue is answered at once with
503 and ``Retry-After`` instead of piling up (docs/issuer.md, "Capacity").
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from issuer.problems import EdgeProblem

T = TypeVar("T")

QUEUE_PER_THREAD = 16
"""PIN checks that may wait per thread (at ~50 ms each: under a second of waiting)."""


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class PinPool:
    """``threads`` threads for PIN enrollments and room for ``queue`` more to wait; used from the event loop."""

    def __init__(self, threads: int, queue: int | None = None):
        if threads < 1:
            raise ValueError("a PIN pool needs at least one thread")
        self.threads = threads
        self.queue = QUEUE_PER_THREAD * threads if queue is None else queue
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="zorgcert-pin")
        self.held = 0  # running + waiting; only touched on the event loop's thread

    @classmethod
    def for_workers(cls, workers: int) -> PinPool:
        """A worker's share of the cores (at least one thread)."""
        return cls(max(1, cores() // max(1, workers)))

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in a PIN thread; EdgeProblem 503 ``busy`` when the queue is full."""
        if self.held >= self.threads + self.queue:
            raise EdgeProblem(503, "busy", "Busy",
                              "the issuer is checking many PINs right now; try again in a few seconds",
                              retry_after=self.retry_after())
        self.held += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._executor, functools.partial(fn, *args, **kwargs))
        finally:
            self.held -= 1

    def retry_after(self) -> int:
        """Seconds after which the queue will have moved on: its length at ~50 ms a check, at least 1."""
        return max(1, round(self.held * 0.05 / self.threads))

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
