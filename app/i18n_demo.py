"""Sentences for the demo command (zorgcert demo), Dutch first; registered by ``app.i18n``."""

MESSAGES: dict[str, dict[str, str]] = {}
