"""ZorgCert's own files after damage: what the CLI and the app say, and ``doctor``'s check.

``app.state.files.read_json`` moves a damaged state file aside and notes it (``app.state.files.notices``);
this module turns those notes into sentences and lets ``doctor`` name the files kept aside.
The CLI loads it on every call (``zorgcert status`` too); what only ``doctor`` reads is imported
in the one section at the end, "Imported on first use".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.errors import ZorgCertError
from app.i18n import t
from app.state import config
from app.state.files import Notice, kept_copies, take_notices
from app.state.paths import Paths
from app.state.wallet import load


def words(notice: Notice, lang: str) -> tuple[str, str]:
    """(message, next step) of one notice in ``lang``."""
    return t(notice.key, lang, **notice.params), t(notice.key + ".next", lang, **notice.params)


def pending_texts(lang: str) -> list[str]:
    """Every notice not yet shown, each as its message and next step (and forget them)."""
    return ["\n".join(w for w in words(n, lang) if w) for n in take_notices()]


def kept_files(paths: Paths) -> list[Path]:
    """The damaged files set aside in ZorgCert's folders."""
    return [*kept_copies(paths.config_dir), *kept_copies(paths.data_dir), *kept_copies(paths.journal_dir)]


def doctor_check(paths: Paths, lang: str) -> dict[str, Any]:
    """One line: pass, warn (files were set aside; the next step says what to check), fail (no wallet yet)."""
    name = t("doctor.state", lang)
    try:  # read each file once more: a damaged one is set aside now and named below
        config.load(paths)
        _read_preferences_and_journal(paths)
        load(paths)
    except ZorgCertError as exc:
        return {"check": name, "result": "fail", "detail": t(exc.key, lang, **exc.params),
                "next": t(exc.key + ".next", lang, **exc.params)}
    kept = kept_files(paths)
    if not kept:
        return {"check": name, "result": "pass", "detail": "", "next": ""}
    detail = t("doctor.state.kept", lang, files=", ".join(str(p) for p in kept))
    not_rebuilt = not paths.wallet_file.exists() and kept_copies(paths.data_dir, paths.wallet_file.name)
    if not_rebuilt:
        detail += "; " + t("doctor.state.not_rebuilt", lang)
    return {"check": name, "result": "fail" if not_rebuilt else "warn", "detail": detail,
            "next": t("state.wallet_not_rebuilt.next" if not_rebuilt else "doctor.state.next", lang)}


# --- Imported on first use ---------------------------------------------------------------------------
# The one place this module imports late: the preferences and the journal are read here only for
# ``doctor``; ``zorgcert status`` loads this module and would pay for both on every call.


def _read_preferences_and_journal(paths: Paths) -> None:
    """Read preferences.json and every journal entry (a damaged one is set aside as it is read)."""
    from app.state import preferences
    from app.state.journal import Journal

    preferences.load(paths)
    Journal(paths.journal_dir).pending()
