"""Backup, restore and PFX export (``zorgcert backup|restore|export`` and the desktop app), one module each.

Import the part you need (``app.backups.passphrase``, ``fileinfo``, ``backup``, ``restore``, ``export``;
``shared`` holds what they share): nothing is re-exported here, so the passphrase meter never loads restore.
"""
