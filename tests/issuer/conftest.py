from collections.abc import Iterator
from pathlib import Path

import pytest
from issuer_harness import RunningIssuer, start_issuer


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    """One issuer with the real durations (P2Y / P1M / P60D / 5) for a test module."""
    running = start_issuer(Path(tmp_path_factory.mktemp("issuer")) / "data")
    yield running
    running.stop()
