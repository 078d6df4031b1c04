"""Every arrow between the rooms, in one place; docs/architecture.md draws the same map.

The rooms are the top-level packages (ui, app, keystore, backup, issuer) and, inside app/, its
subpackages. An import is an arrow; these tests read the source (no import runs) and fail on an arrow
the map does not have. Where the map allows an arrow only inside a function (a lazy import), the
test says why.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ui", "app", "keystore", "backup", "issuer")

# app/'s rooms from the bottom up: a room may import its own room and the rooms below it.
APP_LAYERS = ("app", "app.state", "app.enroll", "app.lifecycle", "app.practice", "app.backups", "app.troubleshoot",
              "app.desk", "app.demo", "app.commands")
# Arrows upward, each inside a function only, each with its reason.
APP_UPWARD = {
    ("app.explain", "app.troubleshoot.support"): "an unexpected error is logged with what redact() leaves of it",
    ("app.lifecycle.services", "app.backups"): "recovery finishes an interrupted restore, backup or export",
}
# What the issuer may take from the app: the rules, the clock, the EST CSR attributes, the one pin-chain check
# (a certificate forwarded by a TLS terminator) and the one atomic write.
ISSUER_FROM_APP = {"app", "app.policy", "app.clock", "app.enroll", "app.enroll.csrattrs", "app.enroll.chain",
                   "app.state", "app.state.files"}
# What the issuer loads of the client's rooms through those: standard-library-only helpers.
ISSUER_LOADS_FROM_KEYSTORE = {"keystore", "keystore.der", "keystore.durable"}
# Libraries the desktop app's Qt layer never touches: that work belongs in app/.
FORBIDDEN_IN_UI = ("requests", "subprocess", "socket", "ssl", "http", "urllib", "urllib3", "cryptography",
                   "keyring", "secretstorage", "shutil", "tempfile", "sqlite3", "zipfile", "winreg", "keystore",
                   "backup", "issuer")
FILE_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "unlink", "mkdir", "rmdir",
              "rename", "replace", "touch", "chmod", "system", "popen", "remove"}


@dataclass(frozen=True)
class Arrow:
    source: str  # the importing module, e.g. app.lifecycle.status
    target: str  # the imported module, e.g. app.state.wallet
    lazy: bool  # inside a function
    line: int

    def __str__(self) -> str:
        return f"{self.source}:{self.line} -> {self.target}{' (lazy)' if self.lazy else ''}"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _files(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


@functools.cache
def _arrows(path: Path) -> list[Arrow]:
    source = _module(path)
    tree = ast.parse(path.read_text(), str(path))
    lazy_nodes = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
                  for n in ast.walk(f)}
    arrows = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from app import wallet`` is an arrow to app.state.wallet, ``from app.x import name`` one to app.x
            targets = [f"{node.module}.{a.name}" if (ROOT / node.module.replace(".", "/") / a.name).exists()
                       or (ROOT / node.module.replace(".", "/") / f"{a.name}.py").exists() else node.module
                       for a in node.names]
        arrows += [Arrow(source, t, id(node) in lazy_nodes, node.lineno) for t in targets]
    return arrows


def _ours(arrows: list[Arrow]) -> list[Arrow]:
    return [a for a in arrows if a.target.split(".")[0] in PACKAGES]


def _room(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "app" or len(parts) == 1:
        return parts[0]
    room = f"app.{parts[1]}"
    return room if room in APP_LAYERS else "app"


ALL = [p for package in PACKAGES for p in _files(package)]


def _ids(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", ALL, ids=_ids)
def test_every_arrow_between_the_packages_is_on_the_map(path: Path) -> None:
    allowed = {"ui": {"ui", "app"}, "app": {"app", "keystore", "backup"}, "keystore": {"keystore"},
               "backup": {"backup"}, "issuer": {"issuer", "app"}}
    home = _module(path).split(".")[0]
    bad = [a for a in _ours(_arrows(path)) if a.target.split(".")[0] not in allowed[home]]
    if home == "app":  # ``zorgcert gui`` and ``agent`` start the Qt app: from the command line only, lazily
        bad = [a for a in bad if not (a.target.split(".")[0] == "ui" and a.lazy
                                      and a.source == "app.commands.cli")]
    assert not bad, [str(a) for a in bad]


@pytest.mark.parametrize("path", _files("issuer"), ids=_ids)
def test_the_issuer_takes_only_the_shared_parts_from_the_app(path: Path) -> None:
    bad = [a for a in _ours(_arrows(path)) if a.target.startswith("app") and a.target not in ISSUER_FROM_APP]
    assert not bad, [str(a) for a in bad]


@pytest.mark.parametrize("path", _files("app"), ids=_ids)
def test_app_rooms_import_only_downward(path: Path) -> None:
    source = _module(path)
    mine = APP_LAYERS.index(_room(source))
    bad = []
    for arrow in _ours(_arrows(path)):
        if not arrow.target.startswith("app"):
            continue
        theirs = APP_LAYERS.index(_room(arrow.target))
        if theirs <= mine:
            continue
        reason = next((why for (src, tgt), why in APP_UPWARD.items()
                       if source == src and arrow.target.startswith(tgt)), None)
        if not (reason and arrow.lazy):
            bad.append(str(arrow))
    assert not bad, bad


def test_the_map_names_every_room_of_app() -> None:
    rooms = {f"app.{p.name}" for p in (ROOT / "app").iterdir() if (p / "__init__.py").exists()}
    assert rooms == set(APP_LAYERS) - {"app"}, "a new room in app/ needs its place in APP_LAYERS and the docs"
    doc = (ROOT / "docs" / "architecture.md").read_text()
    missing = [r for r in APP_LAYERS[1:] if f"`{r.replace('.', '/')}/`" not in doc]
    assert not missing, f"docs/architecture.md does not describe {missing}"


@pytest.mark.parametrize("path", _files("ui"), ids=_ids)
def test_ui_imports_no_network_process_or_crypto(path: Path) -> None:
    bad = {a.target for a in _arrows(path) if a.target.split(".")[0] in FORBIDDEN_IN_UI}
    assert not bad, f"{path.name} imports {sorted(bad)}: that work belongs in app/"


@pytest.mark.parametrize("path", _files("ui"), ids=_ids)
def test_ui_reads_and_writes_no_files_itself(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    calls = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                name = "" if func.attr == "open" else func.attr  # dialog.open() shows a dialog
            else:
                name = func.id if isinstance(func, ast.Name) else ""
            if name in FILE_CALLS:
                calls.add(name)
    assert not calls, f"{path.name} calls {sorted(calls)}: file work belongs in app/"


@pytest.mark.parametrize("path", [*_files("app"), *_files("keystore"), *_files("backup"), *_files("issuer")],
                         ids=_ids)
def test_only_ui_imports_qt(path: Path) -> None:
    bad = [str(a) for a in _arrows(path) if a.target.split(".")[0] in ("PySide6", "shiboken6")]
    assert not bad, bad


def test_the_core_loads_without_qt() -> None:
    probe = ("import sys, pkgutil, importlib, app\n"
             "for m in pkgutil.walk_packages(app.__path__, 'app.'):\n"
             "    importlib.import_module(m.name)\n"
             "import app.commands.cli; app.commands.cli.build_parser()\n"
             "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'ui'))]\n"
             "assert not bad, bad\n")
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_the_issuer_loads_without_the_clients_libraries() -> None:
    probe = ("import sys, pkgutil, importlib, issuer\n"
             "for m in pkgutil.walk_packages(issuer.__path__, 'issuer.'):\n"
             "    if '.migrations' not in m.name: importlib.import_module(m.name)\n"
             "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('PySide6', 'ui', 'keyring', 'keystore', 'backup', 'requests'))))\n")
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert set(run.stdout.split()) <= ISSUER_LOADS_FROM_KEYSTORE, run.stdout
    for name in ISSUER_LOADS_FROM_KEYSTORE - {"keystore"}:  # and those load nothing but the standard library
        path = ROOT / (name.replace(".", "/") + ".py")
        stdlib = set(sys.stdlib_module_names) | {"__future__"}
        assert {a.target.split(".")[0] for a in _arrows(path)} <= stdlib, name


def test_a_run_of_any_test_folders_imports_the_projects_packages_not_the_test_packages_named_alike() -> None:
    """tests/app, tests/backup, ... share their names with the project's packages; tests/conftest.py must not
    put them first on sys.path (a run that started with tests/issuer imported tests/app as ``app``)."""
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "tests/issuer/test_workers.py", "tests/backup/test_service.py"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "error" not in run.stdout.splitlines()[-1], run.stdout[-3000:]
