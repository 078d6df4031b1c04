"""No module in app/ or ui/ reaches into another object's privates (``other._name``): one module asks another for
its work through a public method (issue 13, point 3).

Allowed: ``self._x`` and ``cls._x``; a private of a class defined in the same module (``Wallet(path)._entries``
inside ``app/state/wallet.py``: the class's own code); and the library privates listed in ``LIBRARY``, each with why.
``getattr``/``setattr``/``hasattr`` with a literal private name count as reaching in too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = {
    "os._exit": "the only way to end a process at once without running cleanup handlers (app/demo/children.py)",
    "sys._MEIPASS": "where PyInstaller unpacked a frozen build; no public name exists",
}


def _dotted(node: ast.expr) -> str:
    return ast.unparse(node)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def reaches(source: str, filename: str = "<module>") -> list[str]:
    """``line: expression`` for every reach into another object's private name in ``source``."""
    tree = ast.parse(source, filename)
    own_classes = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            target, shown = node.value, _dotted(node)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "setattr", "hasattr", "delattr") and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
              and _is_private(node.args[1].value)):
            target, shown = node.args[0], f"{node.func.id}({_dotted(node.args[0])}, {node.args[1].value!r})"
            if f"{_dotted(node.args[0])}.{node.args[1].value}" in LIBRARY:
                continue
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("self", "cls"):
            continue
        if shown in LIBRARY:
            continue
        owner = target.func if isinstance(target, ast.Call) else target
        if isinstance(owner, ast.Name) and owner.id in own_classes:
            continue
        found.append(f"{node.lineno}: {shown}")
    return found


def test_no_module_reaches_into_another_objects_privates() -> None:
    problems = []
    for folder in ("app", "ui"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT)
            problems += [f"{rel}:{hit}" for hit in reaches(path.read_text(encoding="utf-8"), str(rel))]
    assert problems == [], "make these public methods (or list a library private in LIBRARY):\n" + "\n".join(problems)


def test_the_check_sees_what_it_must_and_allows_what_it_may() -> None:
    source = '''
import os
class Wallet:
    def reload(self):
        self._entries = Wallet(self.path)._entries
        return cls._made if False else None
def recover(core):
    core._recover_all()
    getattr(core.vault, "_cipher")(create=False)
    os._exit(0)
'''
    assert reaches(source) == ["8: core._recover_all", "9: getattr(core.vault, '_cipher')"]
