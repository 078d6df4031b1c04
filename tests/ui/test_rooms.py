"""The walls between the rooms: ui/ does no I/O or crypto itself, app/ never needs Qt; every string exists twice."""

from __future__ import annotations

import ast
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
import words_harness as words

from app import i18n
from app.errors import ZorgCertError
from app.explain import explain
from app.policy import Refusal

ROOT = Path(__file__).resolve().parents[2]
UI = sorted((ROOT / "ui").glob("*.py"))
APP = sorted((ROOT / "app").glob("*.py"))

FORBIDDEN_IN_UI = ("requests", "subprocess", "socket", "ssl", "http", "urllib", "urllib3", "cryptography",
                   "keyring", "secretstorage", "shutil", "tempfile", "sqlite3", "zipfile", "winreg", "keystore",
                   "backup")
FILE_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "unlink", "mkdir", "rmdir",
              "rename", "replace", "touch", "chmod", "system", "popen", "remove"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", UI, ids=lambda p: p.name)
def test_ui_imports_no_network_process_or_crypto(path: Path) -> None:
    bad = {n for n in _imports(path) if n.split(".")[0] in FORBIDDEN_IN_UI}
    assert not bad, f"{path.name} imports {sorted(bad)}: that work belongs in app/"


@pytest.mark.parametrize("path", UI, ids=lambda p: p.name)
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


@pytest.mark.parametrize("path", APP, ids=lambda p: p.name)
def test_app_never_imports_qt(path: Path) -> None:
    bad = {n for n in _imports(path) if n.split(".")[0] in ("PySide6", "shiboken6")}
    assert not bad, f"{path.name} imports {sorted(bad)}"
    # ``zorgcert gui`` and ``agent`` may import ui/ inside their function, never at the top of a module
    top = [n for n in ast.parse(path.read_text()).body if isinstance(n, ast.Import | ast.ImportFrom)]
    names = {a.name for n in top if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module or "" for n in top if isinstance(n, ast.ImportFrom)}
    assert not {n for n in names if n.split(".")[0] == "ui"}, path.name


def test_the_core_loads_without_qt() -> None:
    probe = ("import sys, app.cli, app.desktop, app.wizard, app.reminders, app.autostart, app.support, "
             "app.certview, app.contact, app.explain, app.services, app.backups.backup, app.backups.restore, "
             "app.backups.export, app.backups.fileinfo, app.backups.passphrase, app.chain, app.doctor; "
             "app.cli.build_parser(); "
             "assert not [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'ui'))], sorted(sys.modules)")
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_ui_key_used_in_the_code_exists_in_both_languages() -> None:
    """Every ui.* key the UI, app/wizard.py and app/certview.py name (and those they build) is in both catalogues,
    found without importing ui/ first (the catalogues are resources/locale/*/LC_MESSAGES/zorgcert.po)."""
    used: set[str] = set()
    for path in [*UI, ROOT / "app" / "wizard.py", ROOT / "app" / "certview.py"]:
        used |= set(re.findall(r'"(ui\.[a-z0-9_.]+[a-z0-9_])"', path.read_text()))
    dynamic = {f"ui.action.{a}" for a in ("renew", "reinstall", "backup", "restore", "support")}
    dynamic |= {f"ui.card.{f}" for f in ("number", "where", "until", "left", "backup")}
    dynamic |= {f"ui.kind.{k}{s}" for k in ("personal", "system") for s in ("", ".explain")}
    dynamic |= {f"ui.offer.{o}" for o in ("restore", "support", "doctor", "retry")}
    from app.wizard import STAGES

    dynamic |= {f"ui.stage.{s}{x}" for s in STAGES for x in ("", ".busy")}
    missing = sorted(k for k in used | dynamic if not i18n.has(k))
    assert not missing, missing
    nl, en = words.messages("nl"), words.messages("en")
    assert {k for k in nl if k.startswith("ui.")} == {k for k in en if k.startswith("ui.")}
    for key in (k for k in nl if k.startswith("ui.")):
        assert all(nl[key]) and all(en[key]), key
        assert {frozenset(_fields(x)) for x in nl[key] + en[key]} == {frozenset(_fields(nl[key][0]))}, key


ISSUER_PARAMS = {"attempts_left": 3, "unblocked_by": "contact-person", "valid_until": "2027-06-30",
                 "opens_at": "2027-05-30"}


@pytest.mark.parametrize("code", [r.value for r in Refusal])
def test_every_refusal_has_its_own_dutch_explanation_and_next_step(code: str) -> None:
    from app.errors import IssuerRefused

    nl = explain(IssuerRefused(code, "detail from the issuer", **ISSUER_PARAMS), "nl")
    en = explain(IssuerRefused(code, "detail from the issuer", **ISSUER_PARAMS), "en")
    assert nl.code == code and nl.message and nl.next_step and nl.message != en.message
    assert not re.search(r"\{[a-z_]+\}", nl.message + nl.next_step), nl
    others = {explain(IssuerRefused(c.value, "x", **ISSUER_PARAMS), "nl").message for c in Refusal if c.value != code}
    assert nl.message not in others  # its own explanation, not a shared generic one


def _error_classes() -> list[type[ZorgCertError]]:
    from app import errors

    return [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, ZorgCertError)
            and isinstance(c.__dict__.get("key", c.key), str) and c is not ZorgCertError]


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__name__)
def test_every_failure_on_this_side_has_words_in_both_languages(cls: type[ZorgCertError]) -> None:
    assert i18n.has(cls.key) and i18n.has(cls.key + ".next"), cls.key
    for lang in ("nl", "en"):
        assert i18n.t(cls.key, lang) not in ("", cls.key)


def test_blocked_says_who_can_unblock() -> None:
    from app.errors import IssuerRefused

    personal = explain(IssuerRefused("user-blocked", "x", unblocked_by="contact-person"), "nl")
    system = explain(IssuerRefused("user-blocked", "x", unblocked_by="support"), "nl")
    assert personal.next_step.startswith("De contactpersoon van uw praktijk kan de blokkade opheffen")
    assert system.next_step.startswith("Alleen Support kan de blokkade opheffen")
    window = explain(IssuerRefused("install-window-expired", "x"), "nl")
    assert "contactpersoon" in window.next_step and "nieuw certificaat" in window.next_step


# What the issuer may take from the app: the rules, the clock, the CSR attributes, the one atomic write and the
# one pin-chain check (a certificate forwarded by a TLS terminator).
ISSUER_FROM_APP = {"app", "app.policy", "app.clock", "app.csrattrs", "app.files", "app.chain"}
# The client's rooms the issuer loads through those: standard-library-only helpers (DER reading, durable writes).
ISSUER_LOADS_FROM_KEYSTORE = {"keystore", "keystore.der", "keystore.durable"}


@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "issuer").rglob("*.py") if "migrations" not in p.parts),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_issuer_takes_only_the_shared_parts_from_the_app(path: Path) -> None:
    bad = {n for n in _imports(path) if n.split(".")[0] in ("app", "keystore", "backup", "ui")} - ISSUER_FROM_APP
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_the_issuer_loads_no_client_library() -> None:
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
        assert {n.split(".")[0] for n in _imports(path)} <= set(sys.stdlib_module_names) | {"__future__"}, name
