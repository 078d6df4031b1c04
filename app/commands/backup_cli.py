"""The ``zorgcert backup | restore | export`` subcommands (``app.commands.cli`` adds and dispatches them).

Passphrases come from the terminal without echo (getpass), or as lines on standard input
with ``--passphrase-stdin``; never from argv or the environment. ``app.commands.cli`` loads this module
on every call: the backup service (cryptography, Argon2) is imported on first use, in one block
at the top of ``run``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from app.errors import Cancelled, FileExists, NoIssuerConfigured, UsageError
from app.i18n import t
from app.state import config
from app.state.paths import Paths

COMMANDS = ("backup", "restore", "export")


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the three subcommands to ``zorgcert``'s parser."""
    stdin_help = "read the passphrase (and its confirmation) as lines from standard input"
    p = sub.add_parser("backup", parents=[common], help="make an encrypted backup of a certificate with its key")
    p.add_argument("user_number", metavar="USER_NUMBER")
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="the backup file to write (.zcbackup)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument("--passphrase-stdin", action="store_true", help=stdin_help + " (two lines)")

    p = sub.add_parser("restore", parents=[common], help="restore a certificate from a backup file")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--store", default="auto", help="auto (where it was, else the usual place), nss, file:FOLDER, ...")
    p.add_argument("--passphrase-stdin", action="store_true", help=stdin_help + " (one line)")
    p.add_argument("--yes", action="store_true", help="do not ask before restoring")

    p = sub.add_parser("export", parents=[common], help="export a certificate with its key as a PFX (PKCS#12)")
    p.add_argument("user_number", metavar="USER_NUMBER")
    p.add_argument("--pfx", required=True, type=Path, metavar="FILE", help="the .pfx file to write")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument("--profile", choices=["modern", "legacy"], default="modern",
                   help="modern: AES-256 (Windows 10 1709+); legacy: 3DES for old Windows or Java")
    p.add_argument("--passphrase-stdin", action="store_true", help=stdin_help + " (two lines)")


def _stdin_line(what: str) -> str:
    line = sys.stdin.readline()
    if not line:
        raise UsageError(f"--passphrase-stdin: standard input ended before the {what}")
    return line.rstrip("\r\n")


def _passphrases(args: argparse.Namespace, lang: str, *, confirm: bool, prompt: str) -> tuple[str, str | None]:
    """(passphrase, confirmation) from stdin lines or the terminal without echo."""
    if args.passphrase_stdin:
        first = _stdin_line("passphrase")
        return first, _stdin_line("confirmation") if confirm else None
    try:
        first = getpass.getpass(t(prompt, lang))
        second = getpass.getpass(t("cli.passphrase_confirm", lang)) if confirm else None
    except (EOFError, KeyboardInterrupt):
        raise Cancelled("no passphrase") from None
    return first, second


def _issuer(p: Paths) -> config.IssuerSettings | None:
    """The issuer when one is configured (backup and export do not need it)."""
    try:
        return config.issuer(p)
    except NoIssuerConfigured:
        return None


def run(args: argparse.Namespace, lang: str, p: Paths) -> tuple[Any, str]:
    """Run one of ``COMMANDS``: (JSON result, text for the terminal)."""
    # The one late import of this module (see its docstring): the backup service brings cryptography,
    # Argon2 and the core (requests, keyring); every other command loads this module for its parser only.
    from app.backups.backup import make_backup
    from app.backups.export import export_pfx
    from app.backups.fileinfo import inspect_backup, target_exists
    from app.backups.passphrase import passphrase_inputs, require_strong
    from app.backups.restore import restore_backup
    from app.lifecycle.services import ZorgCert
    from backup import pfx

    core = ZorgCert(p, _issuer(p))
    target = {"backup": "out", "export": "pfx"}.get(args.command)
    if target and not args.force and target_exists(getattr(args, target)):
        # before any passphrase is asked: nothing is replaced without --force
        raise FileExists("exists", path=str(Path(getattr(args, target)).expanduser().absolute()))
    if args.command == "backup":
        first, second = _passphrases(args, lang, confirm=True, prompt="cli.passphrase_prompt")
        require_strong(first, second, user_inputs=passphrase_inputs(core, args.user_number))
        report = make_backup(core, args.user_number, args.out, first, overwrite=args.force)
        text = t("cli.backup_made", lang, name=report.name, user_number=report.user_number, path=report.path)
        return {"backup": report.as_json()}, text + "\n" + t("cli.backup_keep", lang)
    if args.command == "restore":
        info = inspect_backup(args.file)
        if not args.json:  # what the file holds, before anything is asked or changed
            print(t("cli.backup_contents", lang, **info.as_json()), flush=True)
        interactive = not (args.yes or args.passphrase_stdin or args.json) and sys.stdin.isatty()
        if interactive and not input(t("cli.restore_confirm", lang)).strip().lower().startswith(("j", "y")):
            raise Cancelled("not confirmed")
        passphrase, _ = _passphrases(args, lang, confirm=False, prompt="cli.passphrase_prompt")
        outcome = restore_backup(core, args.file, passphrase, store=args.store)
        e = outcome.entry
        where = ", ".join(f"{r.store} {r.location}" for r in e.stores)
        lines = [t("cli.restored", lang, name=e.name, where=where, until=e.not_after)]
        lines += [t(w, lang) for w in outcome.warnings]
        result = {
            "restored": e.as_json(),
            "backup": info.as_json(),
            "issuer_checked": outcome.issuer_checked,
            "warnings": [{"code": w, "message": t(w, lang)} for w in outcome.warnings],
        }
        return result, "\n".join(lines)
    if args.command == "export":
        first, second = _passphrases(args, lang, confirm=True, prompt="cli.pfx_password_prompt")
        require_strong(first, second, user_inputs=passphrase_inputs(core, args.user_number))
        out = export_pfx(core, args.user_number, args.pfx, first, args.profile, overwrite=args.force)
        lines = [t("cli.exported", lang, profile=args.profile, path=str(out))]
        warning = t("cli.export_legacy_warning", lang) if pfx.is_weak(args.profile) else None
        if warning:
            lines.append(warning)
        lines.append(t("cli.export_not_backup", lang))
        return {"exported": str(out), "profile": args.profile, "warning": warning}, "\n".join(lines)
    raise UsageError(f"unknown command {args.command}")
