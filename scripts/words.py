"""The catalogues' tool (docs/translating.md): template from the Dutch catalogue, update the others, compile, check.

    scripts/words            all four steps, in that order
    scripts/words check      only check: every key the code uses has words in every language

The Dutch catalogue (resources/locale/nl/LC_MESSAGES/zorgcert.po) is the source: its msgids are
the keys the code uses, its texts the source text. ``template`` writes resources/locale/zorgcert.pot
from it (every key, its comments, the Dutch text as an extracted comment, no translations);
``update`` runs ``pybabel update`` for every other language (new keys come in untranslated, removed
ones go); ``compile`` runs ``pybabel compile`` (the .mo files the app reads); ``check`` runs
tests/app/test_i18n.py (both languages complete, .mo and .pot up to date, every key the code uses
present; why that walks the code with ``ast`` rather than ``pybabel extract``: docs/translating.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "resources" / "locale"
DOMAIN = "zorgcert"
SOURCE = "nl"
WIDTH = "100"
PYBABEL = str(Path(sys.executable).parent / "pybabel")


def po(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> list[str]:
    return sorted(p.name for p in LOCALE.iterdir() if po(p.name).exists())


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def template() -> None:
    source = read(po(SOURCE))
    pot = Catalog(domain=DOMAIN, project=source.project, version=source.version, copyright_holder="ZorgCert",
                  msgid_bugs_address=source.msgid_bugs_address, creation_date=source.revision_date,
                  header_comment="# ZorgCert: every sentence the user sees; the template of every language.\n"
                                 "# Made by scripts/words from the Dutch catalogue (the source): do not edit.",
                  fuzzy=False)
    for message in source:
        if not message.id:
            continue
        dutch = message.string if isinstance(message.string, str) else " | ".join(message.string)
        pot.add(message.id, "" if isinstance(message.id, str) else ("", ""),
                auto_comments=[*message.user_comments, f"nl: {dutch}"])
    with (LOCALE / f"{DOMAIN}.pot").open("wb") as f:
        write_po(f, pot, width=int(WIDTH))


def update() -> None:
    for lang in languages():
        if lang != SOURCE:
            subprocess.run([PYBABEL, "-q", "update", "-D", DOMAIN, "-i", str(LOCALE / f"{DOMAIN}.pot"),
                            "-d", str(LOCALE), "-l", lang, "-w", WIDTH, "--no-fuzzy-matching",
                            "--ignore-obsolete"], check=True)


def compile_mo() -> None:
    subprocess.run([PYBABEL, "compile", "-D", DOMAIN, "-d", str(LOCALE), "--statistics"], check=True)


def check() -> int:
    """The tests that hold the catalogues (tests/app/test_i18n.py): complete, compiled, every used key present."""
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(ROOT / "tests" / "app" / "test_i18n.py")], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        return check()
    if argv:
        print(__doc__)
        return 2
    template()
    update()
    compile_mo()
    return check()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
