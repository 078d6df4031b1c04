"""The catalogues as the tests read them (Babel, the translators' format) and every key the code uses (ast).

``used_keys`` walks app/ and ui/ with ``ast`` rather than ``pybabel extract``: Babel's Python
extractor glues the strings of ``t("a" if x else "b")`` into one msgid ("ab") and skips every
f-string; here both branches count, and an f-string key becomes a pattern that must match a key.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "resources" / "locale"
DOMAIN = "zorgcert"
CODE = sorted([*(ROOT / "app").rglob("*.py"), *(ROOT / "ui").rglob("*.py")])
KEY = re.compile(r"^[a-z]+(\.[a-z0-9_-]+)+$")  # what a key looks like (and what no screen text may look like)
SAYERS = {"t", "tn", "has"}  # the functions that take a key first
FILES = {"json", "lock", "log", "pem", "txt", "db", "py"}  # "config.json" is a file name, not a key


def po(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> list[str]:
    return sorted(p.name for p in LOCALE.iterdir() if po(p.name).exists())


@cache
def catalogue(lang: str) -> Catalog:
    with po(lang).open("rb") as f:
        return read_po(f)


def messages(lang: str) -> dict[str, tuple[str, ...]]:
    """key -> its text(s) in ``lang``: one for a plain sentence, one per plural form for a counted one."""
    out = {}
    for m in catalogue(lang):
        if m.id:
            key = m.id if isinstance(m.id, str) else m.id[0]
            out[key] = (m.string,) if isinstance(m.string, str) else tuple(m.string)
    return out


def plural_keys() -> set[str]:
    return {m.id[0] for m in catalogue("nl") if m.id and not isinstance(m.id, str)}


def _strings(node: ast.AST) -> list[str]:
    """The keys an argument can be: a literal, or either branch of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _pattern(node: ast.AST) -> str | None:
    """An f-string key as a regular expression: f"ui.stage.{s}" -> ^ui\\.stage\\..+$."""
    if not isinstance(node, ast.JoinedStr):
        return None
    parts = [re.escape(v.value) if isinstance(v, ast.Constant) else ".+" for v in node.values]
    return "^" + "".join(parts) + "$"


def _name(func: ast.AST) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


@cache
def used() -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]:
    """(keys passed to t/tn/has, keys passed to tn, f-string patterns passed to t/tn/has): each -> where."""
    keys: dict[str, list[str]] = {}
    counted: dict[str, list[str]] = {}
    patterns: dict[str, list[str]] = {}
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not (isinstance(node, ast.Call) and _name(node.func) in SAYERS and node.args):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            for key in _strings(node.args[0]):
                keys.setdefault(key, []).append(where)
                if _name(node.func) == "tn":
                    counted.setdefault(key, []).append(where)
            pattern = _pattern(node.args[0])
            if pattern:
                patterns.setdefault(pattern, []).append(where)
    return keys, counted, patterns


def _not_a_key(text: str) -> bool:
    """A file name or a module name ("ui.app") that happens to look like a key."""
    module = ROOT / text.replace(".", "/")
    return text.rsplit(".", 1)[1] in FILES or module.with_suffix(".py").exists() or module.is_dir()


def key_literals(prefixes: set[str]) -> dict[str, list[str]]:
    """Every string literal in app/ and ui/ shaped like a key with one of ``prefixes`` (error keys of classes,
    ``Verdict("ui.number.typo")``, notices): the keys the code hands on to be said later."""
    out: dict[str, list[str]] = {}
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.match(node.value) \
                    and node.value.split(".")[0] in prefixes and not _not_a_key(node.value):
                out.setdefault(node.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return out
