"""``zorgcert``: the command line over the core. Dutch by default, ``--lang en`` for English.

Exit codes: 0 ok; 2 usage; 3 refused by the issuer's rules (or a backup that must not be
restored); 4 issuer unreachable; 5 store problem; 6 accepted by the issuer, certificate later
(RFC 7030 §4.2.3: ``install`` and ``renew`` say when ZorgCert asks again); 1 other (a wrong backup passphrase, a
truncated, damaged, newer or foreign backup file among them: ``--json`` names each by code).
One place maps errors to messages: ``_report``.

``zorgcert status`` is what scripts and monitoring call again and again, a new interpreter
each time (docs/performance.md): what only the other commands need is imported on first
use, in the one section at the end of this module, "Imported on first use".
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import __version__
from app.clock import SystemClock
from app.commands import backup_cli, practice_cli
from app.desk.certview import countdown
from app.errors import Cancelled, EmptyPin, NoIssuerConfigured, UsageError, ZorgCertError
from app.i18n import current_lang, t
from app.lifecycle.preflight import before_pin
from app.lifecycle.status import rows as status_rows
from app.lifecycle.status import waiting
from app.state import config
from app.state.files import notices
from app.state.logfile import log_to_file
from app.state.paths import Paths, paths
from app.state.statefiles import pending_texts

if TYPE_CHECKING:
    from app.explain import Explanation
    from app.lifecycle.services import ZorgCert
    from app.state.config import IssuerSettings
    from app.state.wallet import Entry
    from app.troubleshoot.doctor import Check

log = logging.getLogger("zorgcert")


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand with its options (``--json`` and ``--lang`` before or after the subcommand)."""
    top = argparse.ArgumentParser(add_help=False)
    top.add_argument("--json", action="store_true", help="print JSON")
    top.add_argument("--lang", choices=["nl", "en"], help="language (default nl)")
    # the same options after the subcommand; SUPPRESS keeps a value given before it (``zorgcert --lang en status``)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    common.add_argument("--lang", choices=["nl", "en"], default=argparse.SUPPRESS, help="language (default nl)")

    parser = argparse.ArgumentParser(
        prog="zorgcert", parents=[top], description="ZorgCert: certificaten installeren, vernieuwen en bewaren"
    )
    parser.add_argument("--version", action="version", version=f"zorgcert {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("install", parents=[common], help="install a certificate with user number and PIN")
    p.add_argument("--user-number", required=True, metavar="N")
    p.add_argument("--kind", choices=["personal", "system"], default="personal")
    p.add_argument("--store", default="auto", help="auto, nss, file:FOLDER, windows, macos")
    p.add_argument("--pin-stdin", action="store_true", help="read the PIN as one line from standard input")

    sub.add_parser("status", parents=[common], help="the certificates on this computer")

    p = sub.add_parser("renew", parents=[common], help="renew a certificate (inside the renewal window)")
    p.add_argument("user_number", nargs="?", metavar="USER_NUMBER")

    sub.add_parser("doctor", parents=[common], help="check issuer, trust, clock and stores")

    p = sub.add_parser("demo", parents=[common], help="try ZorgCert against a local demo issuer; Ctrl+C stops it")
    p.add_argument("--folder", type=Path, metavar="DIR", help="demo folder (default: in ZorgCert's data folder)")
    p.add_argument("--short", action="store_true", help="lifecycle in minutes instead of years")
    p.add_argument("--fresh", action="store_true", help="throw the demo folder away and start over")
    p.add_argument("--no-gui", action="store_true", help="stay on the command line, do not open the app")

    backup_cli.add_commands(sub, common)
    practice_cli.add_commands(sub, common)  # users, messages, forms: the contact person's desk (issue 16)

    sub.add_parser("gui", parents=[common], help="open the desktop app")
    p = sub.add_parser("agent", parents=[common], help="tray icon with reminders (started at login)")
    p.add_argument("--once", action="store_true", help="no tray: check once, print what is due, exit")

    p = sub.add_parser("config", parents=[common], help="settings")
    csub = p.add_subparsers(dest="config_command", required=True)
    s = csub.add_parser("set", parents=[common])
    s.add_argument("key", choices=list(config.KEYS))
    s.add_argument("value")
    csub.add_parser("show", parents=[common])
    s = csub.add_parser("unset", parents=[common])
    s.add_argument("key", choices=list(config.KEYS))
    return parser


def _read_pin(args: argparse.Namespace, lang: str) -> str:
    if args.pin_stdin:
        pin = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            pin = getpass.getpass(t("cli.pin_prompt", lang))
        except (EOFError, KeyboardInterrupt):
            raise Cancelled("no PIN") from None
    pin = pin.strip()
    if not pin:
        raise EmptyPin("empty PIN")
    return pin


def _core(p: Paths, *, need_issuer: bool = True) -> ZorgCert:
    return _zorgcert(p, config.issuer(p) if need_issuer else None)


def _core_if_configured(p: Paths) -> ZorgCert:
    """The core with the issuer if one is configured, else without (recovery then settles what it can)."""
    try:
        return _core(p)
    except NoIssuerConfigured:
        return _core(p, need_issuer=False)


def _where(entry: Entry) -> str:
    return ", ".join(f"{r.store} {r.location}" for r in entry.stores)


def run(args: argparse.Namespace, lang: str) -> tuple[Any, str]:
    p = paths()
    if args.command == "install":
        before_pin(p, args.user_number)  # a typo or a certificate installed here and valid: no PIN asked
        pin = _read_pin(args, lang)
        core = _core(p)
        outcome = core.install(args.user_number, pin, kind=args.kind, store=args.store)
        e = outcome.entry
        text = (
            t("cli.installed", lang, name=e.name, where=_where(e), until=e.not_after)
            + "\n"
            + t("cli.installed.backup", lang)
        )
        for note in core.waiting_notes(lang) if any(r[2] == "waiting" for r in outcome.recovered) else []:
            print(note, file=sys.stderr)
        for note in core.recovery_notes(outcome.recovered, lang):
            print(note, file=sys.stderr)
        return {"installed": e.as_json(), "recovered": outcome.recovered}, text
    if args.command == "status":
        return _status(p, lang)
    if args.command == "renew":
        core = _core(p)
        number = args.user_number or _only_certificate(core)
        outcome = core.renew(number)
        e = outcome.entry
        text = t("cli.renewed", lang, name=e.name, until=e.not_after) + "\n" + t(
            "cli.renewed.backup", lang, user_number=e.user_number)  # R8: the old backup holds the old certificate
        return {"renewed": e.as_json(), "next": t("cli.renewed.backup", lang, user_number=e.user_number)}, text
    if args.command == "demo":
        _run_demo(args, lang)
        return {"stopped": True}, ""
    if args.command == "doctor":
        checks = _run_checks(p, lang)
        text = "\n".join(
            f"[{t('doctor.' + c.result, lang):>6}] {c.check}: {c.detail}"
            + (f"\n         -> {c.next}" if c.next else "")
            for c in checks
        )
        return {"checks": [c.as_dict() for c in checks], "ok": all(c.result != "fail" for c in checks)}, text
    if args.command in backup_cli.COMMANDS:
        return backup_cli.run(args, lang, p)
    if args.command in practice_cli.COMMANDS:
        return practice_cli.run(args, lang, p)
    if args.command == "config":
        if args.config_command == "set":
            value = config.set_value(p, args.key, args.value)
            return {args.key: value}, t("cli.config_set", lang, key=args.key, value=value)
        if args.config_command == "unset":
            removed = config.unset_value(p, args.key)
            return {args.key: None, "removed": removed}, t("cli.config_unset", lang, setting=args.key)
        rows = config.sources(p)
        return {r["key"]: {k: r[k] for k in ("value", "source", "where")} for r in rows}, "\n".join(
            f"{r['key']} = {r['value'] or '-'}  ({t('config.source.' + r['source'], lang, where=r['where'])})"
            for r in rows)
    raise UsageError(f"unknown command {args.command}")


def _only_certificate(core: ZorgCert) -> str:
    entries = core.wallet.entries()
    if len(entries) != 1:
        raise UsageError("name the user number: zorgcert renew USER_NUMBER")
    return str(entries[0].user_number)


def _status(p: Paths, lang: str) -> tuple[Any, str]:
    if p.journal_dir.exists() and any(p.journal_dir.glob("*.json")):
        log_to_file(p)  # the recovery logs what it finished or rolled back
        try:  # a crash left work behind, or a deferred request is due: finish it before reporting
            core = _core_if_configured(p)
            recovered = core.recover()
            for note in core.waiting_notes(lang):  # only its own issuer can settle it: say so
                print(note, file=sys.stderr)
            for note in core.recovery_notes(recovered, lang):
                print(note, file=sys.stderr)
        except ZorgCertError as exc:
            log.warning("recovery before status failed: %s", exc.details)
            if exc.key.startswith(("error.disk_full", "error.nss_corrupt")):  # the user must act: say what, and how
                words = _explain(exc, lang)
                print(words.message + "\n" + words.next_step, file=sys.stderr)
    later = waiting(p)  # requests the issuer accepted and answers later (RFC 7030 §4.2.3)
    deferred_out = [w.as_dict(lang) for w in later]
    deferred_lines = [f"{w.user_number}  {w.text(lang)}" for w in later]
    if not p.wallet_file.exists() and not any(p.data_dir.glob("wallet.json.bad-*")):  # nothing yet or to rebuild
        return deferred_out, "\n".join(deferred_lines) or t("cli.no_certificates", lang)
    now = SystemClock().now()
    rows = status_rows(p, now)  # not via app.lifecycle.services: status starts faster without it
    lines, out = list(deferred_lines), list(deferred_out)
    for r in rows:
        state = t(f"state.{r.state}", lang)
        left = countdown(r, now).text(lang)
        lines.append(f"{r.user_number}  {r.name} ({t('kind.' + r.kind, lang)})")
        if r.state == "expired":  # "3 dagen geleden verlopen (op ...)", not "verlopen; nog 0 dagen geldig"
            lines.append(f"    {left} ({t('status.expired_on', lang, until=r.valid_until)})")
        else:
            lines.append(f"    {state}; {left} ({t('status.until', lang, until=r.valid_until)})")
        for ref in r.installed_in:
            mark = "+" if ref.present else "-"
            lines.append(f"    {mark} {ref.store} {ref.location}")
        if not r.backup_current and r.state not in ("expired", "revoked"):  # those cannot be backed up
            lines.append(f"    ! {t('cli.backup_missing', lang, user_number=r.user_number)}")
        out.append(r.as_dict())
        if r.state in ("expired", "lost", "renewal-open", "revoked"):  # the way on, R6 / R7 / R5 / R9
            out[-1]["next"] = t("status.next." + r.state, lang, user_number=r.user_number)
            lines.append(f"    -> {out[-1]['next']}")
    return out, "\n".join(lines) or t("cli.no_certificates", lang)


def _report(exc: ZorgCertError, lang: str, as_json: bool) -> int:
    """The one place an error becomes words on the screen (the words come from ``app.explain``)."""
    words = _explain(exc, lang)
    message, next_step, code = words.message, words.next_step, words.code
    if as_json:
        print(
            json.dumps(
                {
                    "error": {
                        "code": code,
                        "message": message,
                        "next": next_step,
                        "details": exc.details,
                        **{k: v for k, v in exc.params.items() if isinstance(v, str | int | float)},
                    }
                }
            )
        )
    if not isinstance(exc, Cancelled) or not as_json:
        print(message, file=sys.stderr)
        if next_step:
            print(next_step, file=sys.stderr)
        if words.reference and not isinstance(exc, Cancelled):
            print(t("error.reference", lang, reference=words.reference), file=sys.stderr)
    return exc.exit_code


def _desktop_app(args: argparse.Namespace, lang: str) -> int:
    """``gui`` and ``agent``: Qt is imported only here, so every other command stays light."""
    try:
        ui_app = _ui_app()
    except ImportError as exc:
        print(t("desktop.no_qt", lang, reason=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return 1
    if args.command == "gui":
        return ui_app.main(["--lang", lang])
    return ui_app.agent_main(["--lang", lang, *(["--once"] if args.once else [])])


def _tell_notices(lang: str) -> None:
    """Say what ZorgCert did on its own (a damaged file set aside, the wallet rebuilt): on stderr, JSON stays clean."""
    if not notices:
        return
    log_to_file(paths())
    for text in pending_texts(lang):
        log.warning("told the user: %s", text.splitlines()[0])
        print(text, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    lang = current_lang(args.lang)
    if args.command != "status":  # status sets it up only if it has something to log (see _status)
        log_to_file(paths())
    if args.command in ("gui", "agent"):
        return _desktop_app(args, lang)
    try:
        try:
            result, text = run(args, lang)
        finally:
            _tell_notices(lang)
    except KeyboardInterrupt:
        return _report(Cancelled("interrupted"), lang, args.json)
    # the one error path (app.explain.logged): logged with the reference shown; a bug with its traceback
    except Exception as exc:  # noqa: BLE001 - see the line above
        log_to_file(paths())
        return _report(_logged(exc, args.command), lang, args.json)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    elif text:
        print(text)
    if args.command == "doctor" and not result["ok"]:
        return 1  # a failed check: scripts and Support see it in the exit code too
    return 0


# --- Imported on first use ---------------------------------------------------------------------------
# The one place this module imports late. ``zorgcert status`` never needs these, and each is
# dear for a command that starts a new interpreter every time (docs/performance.md):
# ``app.lifecycle.services`` brings cryptography, requests and keyring; ``app.explain`` the support
# module's redaction (only when something went wrong); ``app.troubleshoot.doctor`` and ``app.demo`` their
# checks and a process supervisor; ``ui.app`` Qt (and ``app.desk.desktop``, whose words it says).


def _zorgcert(p: Paths, issuer: IssuerSettings | None) -> ZorgCert:
    from app.lifecycle.services import ZorgCert

    return ZorgCert(p, issuer)


def _explain(exc: ZorgCertError, lang: str) -> Explanation:
    from app.explain import explain

    return explain(exc, lang)


def _logged(exc: BaseException, where: str) -> ZorgCertError:
    from app.explain import logged

    return logged(exc, where)


def _run_checks(p: Paths, lang: str) -> list[Check]:
    from app.troubleshoot.doctor import run_checks

    return run_checks(p, lang)


def _run_demo(args: argparse.Namespace, lang: str) -> int:
    from app.demo import supervisor

    return supervisor.run(args, lang)


def _ui_app() -> Any:
    """``ui.app``; ImportError when Qt is missing."""
    from ui import app as ui_app

    return ui_app


if __name__ == "__main__":
    sys.exit(main())
