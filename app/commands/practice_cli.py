"""``zorgcert users | messages | forms``: the contact person's desk on the command line (``app.practice``).

Each takes ``--as USER_NUMBER`` (the certificate of this wallet to log in with; default: the
longest-valid personal one). An action the rules do not allow is refused here with the reason the
GUI shows (exit 3), before the issuer is asked; the issuer checks again. A PIN is printed only by
``messages show ID --reveal-pin``, the deliberate act; never logged. ``app.commands.cli`` adds and
dispatches these; ``app.practice.api`` (requests, cryptography) is imported on first use in ``run``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import Cancelled, UsageError, ZorgCertError
from app.i18n import t, tn
from app.practice import FORMS, KINDS, REVOKE_REASONS, USER_STATES
from app.state.paths import Paths

if TYPE_CHECKING:
    from app.desk.desktop import Desktop
    from app.practice.users import Desk, OrgUser, Verdict

COMMANDS = ("users", "messages", "forms")


class NotAllowed(ZorgCertError):
    """The rules do not allow this action on this user (``why``: the reason in words, as the GUI shows it)."""

    key = "error.not_allowed"
    exit_code = 3


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``users``, ``messages`` and ``forms`` to ``zorgcert``'s parser."""
    def who(default: Any) -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(add_help=False)
        parser.add_argument("--as", dest="as_user", metavar="USER_NUMBER", default=default,
                            help="log in with this certificate of this computer (default: your personal one)")
        return parser

    top = [common, who(None)]  # before the action: ``zorgcert users --as N list``
    parents = [common, who(argparse.SUPPRESS)]  # after it; SUPPRESS keeps a value given before

    p = sub.add_parser("users", parents=top, help="user management (contact person): the organisation's users")
    usub = p.add_subparsers(dest="users_command", required=True)
    s = usub.add_parser("list", parents=parents, help="the users with their state and what you can do")
    s.add_argument("--search", default="", metavar="TEXT", help="name, e-mail or user number contains TEXT")
    s.add_argument("--state", choices=USER_STATES, action="append", help="only users in this state (repeatable)")
    s.add_argument("--kind", choices=KINDS)
    s = usub.add_parser("request", parents=parents, help="R1: request a certificate for a colleague")
    s.add_argument("--name", required=True)
    s.add_argument("--email", required=True)
    s.add_argument("--kind", choices=KINDS, required=True)
    s.add_argument("--service", action="append", metavar="SERVICE",
                   help="an authorisation from the issuer's catalogue (repeatable; default: the issuer's)")
    for name, text in (("unblock", "R12: unblock a personal certificate's user"),
                       ("revoke", "R9: revoke a certificate, for good")):
        s = usub.add_parser(name, parents=parents, help=text)
        s.add_argument("user_number", metavar="USER_NUMBER")
        if name == "revoke":
            s.add_argument("--reason", choices=REVOKE_REASONS, required=True)
            s.add_argument("--yes", action="store_true", help="confirm: revocation is final")
    for name, text in (("authorise", "R10: grant a service of the catalogue"),
                       ("deauthorise", "R10: withdraw a service")):
        s = usub.add_parser(name, parents=parents, help=text)
        s.add_argument("user_number", metavar="USER_NUMBER")
        s.add_argument("service", metavar="SERVICE")

    p = sub.add_parser("messages", parents=top, help="the message box (Berichtenbox)")
    msub = p.add_subparsers(dest="messages_command", required=True)
    msub.add_parser("list", parents=parents, help="the messages, newest first (a PIN stays hidden)")
    s = msub.add_parser("show", parents=parents, help="open one message (marks it read)")
    s.add_argument("id", type=int, metavar="ID")
    s.add_argument("--reveal-pin", action="store_true", help="show the PIN of a PIN message (a deliberate act)")
    s = msub.add_parser("delete", parents=parents, help="delete one message")
    s.add_argument("id", type=int, metavar="ID")

    p = sub.add_parser("forms", parents=top, help="R1: the paper forms as PDF")
    fsub = p.add_subparsers(dest="form", required=True)
    for form, text in zip(FORMS, ("the certificate request form", "the Zorginkoopportaal authorisation form"),
                          strict=True):
        s = fsub.add_parser(form, parents=parents, help=text)
        s.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
        s.add_argument("--name", default="", help="the user's name (else a line to write on)")
        s.add_argument("--email", default="")
        if form == "request":
            s.add_argument("--kind", choices=KINDS, default="")
            s.add_argument("--service", action="append", metavar="SERVICE")
        else:
            s.add_argument("--user-number", default="", metavar="N")


def run(args: argparse.Namespace, lang: str, p: Paths) -> tuple[Any, str]:
    from app.desk.desktop import Desktop  # first use: app.practice (requests, cryptography) behind it

    desk = Desktop(p)
    if args.command == "users":
        return _users(args, lang, desk)
    if args.command == "messages":
        return _messages(args, lang, desk)
    return _forms(args, lang, desk)


# --- users -------------------------------------------------------------------------------------------


def _user_line(user: OrgUser, lang: str) -> str:
    state = t(f"practice.state.{user.state.value}", lang)
    if user.days_left is not None:
        state += "; " + tn("practice.days_left", user.days_left, lang, n=user.days_left)
    services = ", ".join(user.authorisations) or t("cli.practice.none", lang)
    return (f"{user.user_number}  {user.name} ({t('kind.' + user.kind, lang)})\n"
            f"    {state}; {t('form.user.services', lang).lower()}: {services}")


def _verdict_json(v: Verdict, lang: str) -> dict[str, Any]:
    return {"action": v.action.value, "service": v.service, "allowed": v.allowed, "reason": v.reason,
            "why": v.words(lang) or None}


def _check(desk: Desk, user_number: str, action: str, lang: str, service: str | None = None) -> None:
    """Refuse here, with the GUI's words, what the rules do not allow (the issuer checks again)."""
    from app.policy import normalise_user_number

    number = normalise_user_number(user_number)
    user = desk.user(number)
    if user is None:
        raise UsageError(f"no user {user_number} in your organisation; see: zorgcert users list")
    for v in desk.verdicts(user):
        if v.action.value == action and v.service == service and not v.allowed:
            raise NotAllowed(v.reason or action, why=v.words(lang))
    if action == "authorise" and desk.service(service or "") is None:  # not in the verdicts at all
        raise NotAllowed("practice.why.not_in_catalogue", why=t("practice.why.not_in_catalogue", lang))


def _users(args: argparse.Namespace, lang: str, desktop: Desktop) -> tuple[Any, str]:
    command = args.users_command
    who = args.as_user
    if command == "request":
        receipt = desktop.request_user(args.name, args.email, args.kind,
                                       tuple(args.service) if args.service else None, as_user=who)
        return receipt.as_dict(), t("cli.practice.requested", lang, request_id=receipt.request_id, name=args.name,
                                    kind=t("kind." + args.kind, lang))
    desk = desktop.org_desk(who)
    if command == "list":
        from app.practice.users import UserState

        states = [UserState(s) for s in args.state] if args.state else None
        users = desk.find(args.search, states=states, kind=args.kind)
        out = {
            "organisation": desk.organisation.name,
            "viewer": {"user_number": desk.viewer.user_number, "is_contact_person": desk.viewer.is_contact_person},
            "catalogue": [{"id": s.name, "name": s.title(lang)} for s in desk.catalogue],
            "can_request": _verdict_json(desk.can_request(), lang),
            "users": [{**u.as_dict(), "actions": [_verdict_json(v, lang) for v in desk.verdicts(u)]}
                      for u in users],
        }
        text = "\n".join(_user_line(u, lang) for u in users) or t("cli.practice.no_users", lang)
        if not desk.viewer.is_contact_person:
            text += "\n" + t("practice.why.not_contact_person", lang)
        return out, text
    number = args.user_number
    if command == "unblock":
        _check(desk, number, "unblock", lang)
        desktop.unblock_user(number, as_user=who)
        return {"unblocked": number}, t("cli.practice.unblocked", lang, user_number=number)
    if command == "revoke":
        _check(desk, number, "revoke", lang)
        _confirm_revoke(args, desk, lang)
        serials = desktop.revoke_user(number, args.reason, as_user=who)
        return {"revoked": number, "serials": list(serials), "reason": args.reason, "final": True}, t(
            "cli.practice.revoked", lang, user_number=number)
    grant = command == "authorise"
    _check(desk, number, command, lang, args.service)
    after = (desktop.authorise if grant else desktop.deauthorise)(number, args.service, as_user=who)
    services = ", ".join(after) or t("cli.practice.none", lang)
    return {"user_number": number, "authorisations": list(after)}, t(
        "cli.practice.authorisations", lang, user_number=number, services=services)


def _confirm_revoke(args: argparse.Namespace, desk: Desk, lang: str) -> None:
    """R9 is final: ``--yes``, or the user number typed again on a terminal."""
    if args.yes:
        return
    user = desk.user(args.user_number)
    print(t("practice.revoke.final", lang, name=user.name if user else "?", user_number=args.user_number),
          file=sys.stderr)
    if not sys.stdin.isatty():
        raise UsageError(t("cli.practice.revoke_needs_yes", lang))
    try:
        typed = input(t("cli.practice.revoke_confirm", lang))
    except (EOFError, KeyboardInterrupt):
        raise Cancelled("revocation not confirmed") from None
    if typed.strip().replace(" ", "") != args.user_number:
        raise Cancelled("revocation not confirmed")


# --- messages ----------------------------------------------------------------------------------------


def _messages(args: argparse.Namespace, lang: str, desktop: Desktop) -> tuple[Any, str]:
    command, who = args.messages_command, args.as_user
    if command == "list":
        box = desktop.message_box(who)
        lines = [t("cli.practice.unread", lang, unread=box.unread, total=len(box.messages))] if box.messages else []
        for m in box.messages:
            when = f"{m.created_at:%Y-%m-%d %H:%M}" if m.created_at else "-"
            lines.append(f"{'*' if not m.read else ' '} {m.id:>4}  {when}  {m.subject}")
        return ({"unread": box.unread, "messages": [m.as_dict() for m in box.messages]},
                "\n".join(lines) or t("cli.practice.no_messages", lang))
    if command == "delete":
        desktop.delete_message(args.id, as_user=who)
        return {"deleted": args.id}, t("cli.practice.deleted", lang, id=args.id)
    if args.reveal_pin:  # the deliberate act: only here does the PIN leave app.practice
        message = desktop.open_message(args.id, as_user=who)
        if not message.has_pin:
            raise UsageError(t("practice.message.no_pin", lang))
        pin = desktop.reveal_pin(args.id, as_user=who)
        return ({"message": message.as_dict(), "pin": pin.reveal()},
                f"{message.subject}\n\n{message.body}\n\n" + t("cli.practice.pin_shown", lang, pin=pin.reveal()))
    message = desktop.open_message(args.id, as_user=who)
    text = f"{message.subject}\n\n{message.body}"
    if message.has_pin:
        text += "\n\n" + t("cli.practice.pin_hidden", lang, id=message.id)
    return {"message": message.as_dict()}, text


# --- forms -------------------------------------------------------------------------------------------


def _forms(args: argparse.Namespace, lang: str, desktop: Desktop) -> tuple[Any, str]:
    from app.practice.forms import Applicant

    applicant = Applicant(name=args.name, email=args.email, kind=getattr(args, "kind", ""),
                          user_number=getattr(args, "user_number", ""),
                          services=tuple(getattr(args, "service", None) or ()))
    out = desktop.make_form(args.form, args.out, lang=lang, applicant=applicant, as_user=args.as_user)
    return {"form": args.form, "out": str(out)}, t("cli.practice.form_written", lang, path=out)
