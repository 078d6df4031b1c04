"""Encrypted backups of a certificate with its key (``envelope``), passphrase strength and PFX export.

Imports only the standard library, ``cryptography`` and ``zxcvbn``: no ``app`` code, so the
format can be read and tested on its own. See docs/backup-format.md.
"""
