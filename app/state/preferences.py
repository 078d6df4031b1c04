"""The desktop app's own settings (language), kept beside ``config.json`` in ``preferences.json``."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from app.i18n import LANGS, current_lang
from app.state.files import read_json, write_json
from app.state.paths import Paths


@dataclass
class Preferences:
    lang: str = ""  # "" = follow ZORGCERT_LANG, else Dutch


def load(paths: Paths) -> Preferences:
    """The saved preferences (defaults when none were saved, or the file is damaged: then it is moved aside)."""
    data = read_json(paths.config_dir / "preferences.json", {}, what="preferences.json",
                     valid=lambda d: isinstance(d, dict) and isinstance(d.get("lang", ""), str))
    lang = data.get("lang", "")
    return Preferences(lang=lang if lang in LANGS else "")


def save(paths: Paths, prefs: Preferences) -> None:
    write_json(paths.config_dir / "preferences.json", asdict(prefs))


def language(paths: Paths, explicit: str | None = None) -> str:
    """The language to show: ``--lang``, else the saved choice, else ``ZORGCERT_LANG``, else Dutch."""
    return current_lang(explicit or load(paths).lang or None)
