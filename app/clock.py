"""The one place that reads the wall clock; everything else takes ``now``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real clock, in aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def utcnow() -> datetime:
    """The current moment, aware UTC."""
    return datetime.now(UTC)
