import json
import os
import sys
import time
from pathlib import Path
from typing import Any

# tests import their shared harnesses (tests/issuer_harness.py) as top-level modules; appended, not put first,
# or the test packages named like the project's (tests/app, tests/backup, ...) would be imported in its place
sys.path.append(str(Path(__file__).parent))
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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--cpu-report", metavar="FILE", default=None,
                     help="append one JSON line per test module to FILE: CPU seconds (user + sys of the test "
                          "process and every child it reaped: issuers, zorgcert runs, certutil, browsers) and wall "
                          "seconds (docs/performance.md, 'Suite time')")


_module_clock: dict[str, Any] = {}


def _cpu_seconds() -> float:
    import resource  # Unix only: imported when the report is asked for

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _close_module(config: pytest.Config) -> None:
    if _module_clock.get("module") is None:
        return
    with open(config.getoption("--cpu-report"), "a", encoding="utf-8") as report:
        report.write(json.dumps({"module": _module_clock["module"],
                                 "cpu": round(_cpu_seconds() - _module_clock["cpu"], 2),
                                 "wall": round(time.monotonic() - _module_clock["wall"], 2)}) + "\n")


def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """With ``--cpu-report``: a module's CPU counts from its first test's set-up to the next module's (its
    module-scoped issuer is reaped, and so counted, in its last test's teardown)."""
    if item.config.getoption("--cpu-report") is None:
        return
    module = item.nodeid.split("::")[0]
    if module != _module_clock.get("module"):
        _close_module(item.config)
        _module_clock.update(module=module, cpu=_cpu_seconds(), wall=time.monotonic())


def pytest_sessionfinish(session: pytest.Session) -> None:
    if session.config.getoption("--cpu-report") is not None:
        _close_module(session.config)
