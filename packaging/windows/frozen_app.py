"""The frozen Windows app's parts that scripts/build-windows keys, checks and refreshes without PyInstaller.

``imports ROOT``: the modules our sources import from outside our packages (from the AST of every .py file of
app, ui, keystore, backup and issuer, migrations too), one a line: what PyInstaller's analysis depends on, so
the frozen app's cache key (adding ``import csv`` changes it; editing a function body does not).
``check APP [ROOT]``: the files a working frozen app cannot do without (Qt's platform, image-format and
icon-engine plugins, the Dutch and English qtbase translations, ...), none of the Wine stand-in DLLs, and with
ROOT one .pyc per module of our packages and none left over; exit code 1 names what is wrong.
``data APP ROOT`` then ``compile APP ROOT OPTIMIZE`` refresh APP when only our sources changed: the first
removes our .pyc files, resources and migrations and copies the current data in; the second, run by the
Windows Python under Wine (the same 3.12 bytecode as the freeze), compiles every module of ours with
PyInstaller's own ``compile_pymodule`` as a fresh freeze does (``module_collection_mode`` "pyc" in
packaging/zorgcert.spec): byte for byte the same files.
Standard library only at the top: the Linux venv runs the first two.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import pkgutil
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGES = ("app", "ui", "keystore", "backup", "issuer")
# data trees copied into the app as they are (the spec's datas), relative to the checkout and to _internal
DATA_TREES = ("resources", "issuer/migrations")
JUNK = ("__pycache__",)
REQUIRED = (
    "zorgcert.exe", "zorgcertw.exe",
    "_internal/python312.dll", "_internal/python3.dll", "_internal/base_library.zip",
    "_internal/VCRUNTIME140.dll", "_internal/_ssl.pyd", "_internal/_sqlite3.pyd", "_internal/sqlite3.dll",
    "_internal/libcrypto-3.dll", "_internal/libssl-3.dll", "_internal/_cffi_backend.cp312-win_amd64.pyd",
    "_internal/cryptography/hazmat/bindings/_rust.pyd", "_internal/PIL/_imaging.cp312-win_amd64.pyd",
    "_internal/aiohttp/_http_parser.cp312-win_amd64.pyd",
    "_internal/shiboken6/Shiboken.pyd", "_internal/shiboken6/shiboken6.abi3.dll",
    "_internal/PySide6/pyside6.abi3.dll",
    *(f"_internal/PySide6/Qt6{m}.dll" for m in ("Core", "Gui", "Widgets", "Svg", "DBus")),
    *(f"_internal/PySide6/Qt{m}.pyd" for m in ("Core", "Gui", "Widgets", "Svg", "DBus")),
    # what PyInstaller's Qt hooks add only when they could ask Qt where its plugins are: without them the
    # app finds no platform ("qt.qpa.plugin: Could not find the Qt platform plugin") or draws no icons
    "_internal/PySide6/plugins/platforms/qwindows.dll",
    "_internal/PySide6/plugins/imageformats/qsvg.dll",
    "_internal/PySide6/plugins/imageformats/qico.dll",
    "_internal/PySide6/plugins/iconengines/qsvgicon.dll",
    "_internal/PySide6/plugins/styles/qmodernwindowsstyle.dll",
    "_internal/PySide6/translations/qtbase_nl.qm",
    "_internal/PySide6/translations/qtbase_en.qm",
    # ours
    "_internal/resources/locale/nl/LC_MESSAGES/zorgcert.mo",
    "_internal/resources/locale/en/LC_MESSAGES/zorgcert.mo",
    "_internal/resources/icons/zorgcert.svg",
    "_internal/resources/wordlists/nl-words.txt",
    "_internal/issuer/migrations/env.py",
    "_internal/issuer/migrations/script.py.mako",
)
# the Wine stand-ins of tests/packaging/wine_shims: test scaffolding, never shipped
FORBIDDEN = ("bcryptprimitives.dll", "icuuc.dll", "mscms.dll")


def source_files(root: Path) -> Iterator[Path]:
    """Every .py file of our packages, migrations included, in a stable order."""
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if not any(part in JUNK for part in path.relative_to(root).parts):
                yield path


@functools.cache
def _submodules(package: str) -> frozenset[str] | None:
    """The submodules of an outside package as installed here, found on disk without importing anything;
    None when it is not here (Windows-only) to tell."""
    top, *rest = package.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    locations = [Path(p) for p in spec.submodule_search_locations or []]
    for part in rest:
        locations = [p / part for p in locations if (p / part).is_dir()]
    return frozenset(m.name for m in pkgutil.iter_modules([str(p) for p in locations]))


def outside_imports(root: Path) -> list[str]:
    """The sorted names our sources import from outside our packages (``from X import Y`` gives X, and X.Y
    where Y is a submodule of X, or X is not installed here to tell)."""
    names: set[str] = set()
    for path in source_files(root):
        tree = ast.parse(path.read_bytes(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
                if node.module.split(".")[0] in PACKAGES:
                    continue
                # Y may be a submodule (from PySide6 import QtSvg): PyInstaller collects it then; a class is not
                submodules = _submodules(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names
                             if alias.name != "*" and (submodules is None or alias.name in submodules))
    return sorted(n for n in names if n.split(".")[0] not in PACKAGES)


def imports_key(root: Path) -> str:
    """SHA-256 of the outside-import set."""
    return hashlib.sha256("\n".join(outside_imports(root)).encode()).hexdigest()


def our_modules(root: Path) -> Iterator[tuple[str, Path]]:
    """(module name, source) of every module the spec's collect_submodules finds: packages with __init__.py,
    no ``.tests`` (issuer/migrations has no __init__.py: data, not modules)."""

    def walk(package: Path, name: str) -> Iterator[tuple[str, Path]]:
        yield name, package / "__init__.py"
        for child in sorted(package.iterdir()):
            if child.is_dir() and (child / "__init__.py").is_file() and child.name not in JUNK:
                if ".tests" not in f"{name}.{child.name}":
                    yield from walk(child, f"{name}.{child.name}")
            elif child.suffix == ".py" and child.name != "__init__.py" and child.stem.isidentifier():
                if ".tests" not in f"{name}.{child.stem}":
                    yield f"{name}.{child.stem}", child

    for package in PACKAGES:
        yield from walk(root / package, package)


def _pyc_path(internal: Path, name: str, source: Path) -> Path:
    parts = name.split(".")
    return internal.joinpath(*parts, "__init__.pyc") if source.name == "__init__.py" else \
        internal.joinpath(*parts[:-1], parts[-1] + ".pyc")


def check(app: Path, root: Path | None = None) -> list[str]:
    """What is wrong with a frozen app folder: missing files, stand-ins, and (with ROOT) modules without .pyc
    or .pyc files without a module. Empty when it is fit to ship."""
    problems = [f"missing: {rel}" for rel in REQUIRED if not (app / rel).is_file()]
    if app.is_dir():
        problems += [f"Wine stand-in in the app: {p.relative_to(app)}" for p in sorted(app.rglob("*"))
                     if p.name.lower() in FORBIDDEN]
    if root is not None:
        internal = app / "_internal"
        want = {_pyc_path(internal, name, source) for name, source in our_modules(root)}
        problems += [f"missing: {p.relative_to(app).as_posix()}" for p in sorted(want) if not p.is_file()]
        have = {p for package in PACKAGES for p in (internal / package).rglob("*.pyc")}
        problems += [f"left over: {p.relative_to(app).as_posix()}" for p in sorted(have - want)]
    return problems


def replace_data(app: Path, root: Path) -> None:
    """Our packages' folders and resources removed from APP, the current resources and migrations copied in
    (on the Linux side: Wine 8 lacks the CopyFile2 that Windows' shutil.copyfile calls)."""
    internal = app / "_internal"
    for package in (*PACKAGES, "resources"):
        shutil.rmtree(internal / package, ignore_errors=True)
    for tree in DATA_TREES:
        shutil.copytree(root / tree, internal / tree, ignore=shutil.ignore_patterns(*JUNK, "*.pyc"))


def compile_modules(app: Path, root: Path, optimize: int) -> int:
    """Every module of ours compiled into APP as a fresh freeze does; the count (the Windows Python, Wine)."""
    from PyInstaller.building.utils import compile_pymodule

    count = 0
    for name, source in our_modules(root):
        compile_pymodule(name, str(source), workpath=str(app / "_internal"), optimize=optimize)
        count += 1
    return count


def main(argv: list[str]) -> int:
    """The command line described at the top."""
    if len(argv) == 2 and argv[0] == "imports":
        print("\n".join(outside_imports(Path(argv[1]))))
        return 0
    if len(argv) in (2, 3) and argv[0] == "check":
        problems = check(Path(argv[1]), Path(argv[2]) if len(argv) == 3 else None)
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    if len(argv) == 3 and argv[0] == "data":
        replace_data(Path(argv[1]), Path(argv[2]))
        return 0
    if len(argv) == 4 and argv[0] == "compile":
        count = compile_modules(Path(argv[1]), Path(argv[2]), int(argv[3]))
        print(f"{count} modules compiled")
        return 0
    print("usage: frozen_app.py imports ROOT | check APP [ROOT] | data APP ROOT | compile APP ROOT OPTIMIZE",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
