import os
import sys
from pathlib import Path

# tests import their shared harnesses (tests/issuer_harness.py) as top-level modules
sys.path.insert(0, str(Path(__file__).parent))
# a key without words raises in t() (app.i18n.STRICT), here and in every process a test starts
os.environ.setdefault("ZORGCERT_STRICT_WORDS", "1")


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def secret_service():
    """A real Secret Service (gnome-keyring under a private D-Bus) for the whole test session."""
    from desktop_session import secret_service_session

    with secret_service_session() as env:
        yield env
