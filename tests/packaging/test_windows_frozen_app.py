"""packaging/windows/frozen_app.py without Wine: the check that refuses an incomplete frozen app (a freeze
whose Qt hook failed has no qwindows.dll), and the import-set key of the frozen app (a new outside import
changes it, a function body does not)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("frozen_app", ROOT / "packaging" / "windows" / "frozen_app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["frozen_app"] = module
    spec.loader.exec_module(module)
    return module


frozen_app = _load()


@pytest.fixture
def complete_app(tmp_path: Path) -> Path:
    """A folder with every file the check asks for, and one .pyc per module of our packages."""
    app = tmp_path / "zorgcert"
    for rel in frozen_app.REQUIRED:
        (app / rel).parent.mkdir(parents=True, exist_ok=True)
        (app / rel).write_bytes(b"x")
    for name, source in frozen_app.our_modules(ROOT):
        pyc = frozen_app._pyc_path(app / "_internal", name, source)
        pyc.parent.mkdir(parents=True, exist_ok=True)
        pyc.write_bytes(b"x")
    return app


def test_a_complete_app_passes(complete_app: Path) -> None:
    assert frozen_app.check(complete_app, ROOT) == []
    assert frozen_app.main(["check", str(complete_app), str(ROOT)]) == 0


def test_an_app_without_the_qt_platform_plugin_is_refused(complete_app: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    shutil.rmtree(complete_app / "_internal" / "PySide6" / "plugins")
    (complete_app / "_internal" / "PySide6" / "translations" / "qtbase_nl.qm").unlink()
    assert frozen_app.main(["check", str(complete_app)]) == 1
    out = capsys.readouterr().out
    assert "missing: _internal/PySide6/plugins/platforms/qwindows.dll" in out
    assert "missing: _internal/PySide6/plugins/iconengines/qsvgicon.dll" in out
    assert "missing: _internal/PySide6/translations/qtbase_nl.qm" in out


def test_missing_or_stale_modules_and_shims_are_refused(complete_app: Path) -> None:
    internal = complete_app / "_internal"
    (internal / "app" / "commands" / "cli.pyc").unlink()
    (internal / "app" / "gone.pyc").write_bytes(b"x")
    (internal / "icuuc.dll").write_bytes(b"x")
    assert frozen_app.check(complete_app, ROOT) == [
        "Wine stand-in in the app: _internal/icuuc.dll",
        "missing: _internal/app/commands/cli.pyc",
        "left over: _internal/app/gone.pyc",
    ]


def test_every_module_of_ours_is_refreshed_and_migrations_are_data() -> None:
    names = {name for name, _ in frozen_app.our_modules(ROOT)}
    assert {"app", "app.commands.cli", "issuer.cli", "ui", "keystore", "backup"} <= names
    assert not any("migrations" in n for n in names)  # no __init__.py: Alembic reads them as files
    sources = {p for p in frozen_app.source_files(ROOT) if "migrations" not in p.parts}
    assert {source for _, source in frozen_app.our_modules(ROOT)} == sources


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A small tree of our five packages to edit (the real one takes seconds to parse on a loaded machine)."""
    for package in frozen_app.PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(f'"""{package}."""\n')
    (tmp_path / "app" / "clock.py").write_text(
        "from datetime import datetime, timezone\n\n\ndef utcnow() -> datetime:\n"
        "    return datetime.now(timezone.utc)\n")
    (tmp_path / "ui" / "window.py").write_text("from PySide6.QtWidgets import QLabel\nfrom . import helpers\n")
    (tmp_path / "issuer" / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "issuer" / "migrations" / "versions" / "0001.py").write_text("import sqlalchemy as sa\n")
    return tmp_path


def test_the_import_set_of_our_sources() -> None:
    names = frozen_app.outside_imports(ROOT)
    assert {"PySide6.QtGui", "PySide6.QtWidgets", "cryptography.x509", "sqlalchemy"} <= set(names)
    assert not any(n.split(".")[0] in frozen_app.PACKAGES for n in names)
    assert "PySide6.QtWidgets.QLabel" not in names  # a class, not a module


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_the_import_key_ignores_code_and_names_from_a_module(sources: Path) -> None:
    before = frozen_app.imports_key(sources)
    _append(sources / "app" / "clock.py", "\n\ndef _extra() -> int:\n    return 41 + 1\n")
    # a class from a Qt module: not a submodule, nothing more for PyInstaller to find
    _append(sources / "ui" / "__init__.py", "\nfrom PySide6.QtWidgets import QDial  # noqa\n")
    _append(sources / "keystore" / "__init__.py", "\nfrom app.clock import utcnow  # noqa\n")  # ours
    assert frozen_app.imports_key(sources) == before
    assert frozen_app.outside_imports(sources) == ["PySide6.QtWidgets", "datetime", "sqlalchemy"]


@pytest.mark.parametrize("line", [
    "\ndef _f() -> None:\n    import csv  # noqa\n",
    "\nfrom PySide6 import QtNetwork  # noqa\n",
    "\nfrom email import headerregistry  # noqa\n",
    "\nimport alembic.op  # noqa\n",
])
def test_the_import_key_changes_on_a_new_outside_module(sources: Path, line: str) -> None:
    before = frozen_app.imports_key(sources)
    _append(sources / "backup" / "__init__.py", line)
    assert frozen_app.imports_key(sources) != before
