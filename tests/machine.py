"""Machine-wide things tests share (browser policy folders, the bundle in dist/): one holder at a time.

Tests run in parallel (pytest-xdist workers, and other test runs on the same machine); what lives
outside a test's own temporary folders is taken with :func:`exclusive` first.
"""

from __future__ import annotations

import fcntl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(name: str) -> Iterator[None]:
    """Hold the machine-wide lock ``name`` (an flock on a file in the temporary folder) while inside."""
    path = Path(tempfile.gettempdir()) / f"zorgcert-tests-{name}.lock"
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
