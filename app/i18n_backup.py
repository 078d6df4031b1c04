"""Sentences for backup, restore and export, Dutch first; registered by ``app.i18n``."""

MESSAGES: dict[str, dict[str, str]] = {}
