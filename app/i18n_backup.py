"""Sentences for backup, restore and export (zorgcert backup/restore/export), Dutch first; registered by ``app.i18n``."""

MESSAGES: dict[str, dict[str, str]] = {}
