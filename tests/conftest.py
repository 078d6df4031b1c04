import os
import sys
from pathlib import Path

# tests import their shared harnesses (tests/issuer_harness.py) as top-level modules
sys.path.insert(0, str(Path(__file__).parent))
# a key without words raises in t() (app.i18n.STRICT), here and in every process a test starts
os.environ.setdefault("ZORGCERT_STRICT_WORDS", "1")


import pytest


@pytest.fixture(scope="session")
def secret_service():
    """A real Secret Service (gnome-keyring under a private D-Bus) for the whole test session.

    Session-scoped per process: under pytest-xdist every worker has its own bus and keyring.
    """
    from desktop_session import secret_service_session

    with secret_service_session() as env:
        yield env


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules marked ``slow`` run first, each module's tests staying together and in order.

    ``scripts/test`` hands whole modules to the pytest-xdist workers (``--dist loadscope
    --no-loadscope-reorder``): started first, the long ones (waits through lifecycle windows,
    the bundle build, Wine) overlap the many short modules instead of finishing alone at the end.
    """
    slow = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in slow)  # stable: the order within stays
