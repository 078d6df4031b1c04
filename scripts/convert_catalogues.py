"""One-off (issue 13 point 4): the Python dict catalogues into resources/locale/{nl,en}/LC_MESSAGES/zorgcert.po.

Texts are taken from the running catalogues (``app.i18n.MESSAGES`` after every part registered),
so they stay byte-identical; the order and the ``# --- section ---`` comments come from the
source files. ``unit.<u>.one`` / ``unit.<u>.many`` become one plural entry ``unit.<u>``.
Run once, then the Python catalogues are deleted; kept in git history only.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import app.desktop  # noqa: E402,F401 - registers desktop.no_qt
import app.support  # noqa: E402,F401 - registers error.support_file
import ui.strings  # noqa: E402,F401 - registers ui.*
from app import i18n  # noqa: E402

SOURCES = [("app/i18n.py", ""), ("app/i18n_backup.py", "backup, restore and export"),
           ("app/i18n_demo.py", "the demo (zorgcert demo)"), ("app/i18n_health.py", "the bad day (issue 12)"),
           ("app/support.py", "the support file"), ("app/desktop.py", "zorgcert gui without the app"),
           ("ui/strings.py", "the desktop app")]
KEY = re.compile(r'^    "([a-z][a-z0-9_.-]*)": \{')
COMMENT = re.compile(r"^\s*# ?(.*)$")
PLURAL = re.compile(r"^(unit\.[a-z]+)\.(one|many)$")
WHEN = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)
HEADER = {"nl": "Nederlands (de brontaal)", "en": "English"}


def ordered() -> list[tuple[str, str]]:
    """(key, section comment or "") in source order; the comment only on a section's first key."""
    out: list[tuple[str, str]] = []
    for rel, part in SOURCES:
        section = part
        lines = (ROOT / rel).read_text(encoding="utf-8").splitlines()
        if rel in ("app/support.py", "app/desktop.py"):  # only the register({...}) block
            start = next(i for i, x in enumerate(lines) if x.startswith("register({"))
            lines = lines[start:]
        for line in lines:
            comment = COMMENT.match(line)
            if comment and line.startswith("    #") and comment.group(1).startswith("---"):
                section = comment.group(1).strip("- ").strip()
                continue
            key = KEY.match(line) or re.match(r'^    "([a-z][a-z0-9_.-]*)": \{"nl"', line)
            if key and key.group(1) in i18n.MESSAGES:
                out.append((key.group(1), section))
                section = ""
            if rel in ("app/support.py", "app/desktop.py") and line == "})":
                break
    return out


def main() -> None:
    keys = ordered()
    assert sorted(k for k, _ in keys) == sorted(i18n.MESSAGES), set(i18n.MESSAGES) ^ {k for k, _ in keys}
    for lang in ("nl", "en"):
        catalog = Catalog(locale=lang, domain="zorgcert", project="ZorgCert", version="0.1.0",
                          header_comment=f"# ZorgCert: every sentence the user sees, {HEADER[lang]}.\n"
                                         "# The msgids are symbolic keys; see docs/translating.md.",
                          copyright_holder="ZorgCert", msgid_bugs_address="the ZorgCert issue tracker",
                          creation_date=WHEN, revision_date=WHEN,
                          last_translator="ZorgCert", language_team=HEADER[lang], fuzzy=False)
        done: set[str] = set()
        for key, section in keys:
            # the section comments live in the Dutch source; scripts/words carries them to the others as #. lines
            comments = [section] if section and lang == "nl" else []
            plural = PLURAL.match(key)
            if plural:
                base = plural.group(1)
                if base in done:
                    continue
                done.add(base)
                forms = (i18n.MESSAGES[f"{base}.one"][lang], i18n.MESSAGES[f"{base}.many"][lang])
                catalog.add((base, base), forms, user_comments=comments)
                continue
            text = i18n.MESSAGES[key][lang]
            if not text:  # a .po cannot hold an empty translation: "-" says nothing (app.i18n.NOTHING)
                text = "-"
                comments = [*comments, 'says nothing on purpose: keep "-"'] if lang == "nl" else comments
            catalog.add(key, text, user_comments=comments)
        out = ROOT / "resources" / "locale" / lang / "LC_MESSAGES" / "zorgcert.po"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as f:
            write_po(f, catalog, width=100, omit_header=False)
        print(f"{out.relative_to(ROOT)}: {len(catalog)} messages")


if __name__ == "__main__":
    main()
