import sys
from pathlib import Path

# tests import their shared harnesses (tests/issuer_harness.py) as top-level modules
sys.path.insert(0, str(Path(__file__).parent))


import pytest


@pytest.fixture(scope="session")
def secret_service():
    """A real Secret Service (gnome-keyring under a private D-Bus) for the whole test session."""
    from desktop_session import secret_service_session

    with secret_service_session() as env:
        yield env
