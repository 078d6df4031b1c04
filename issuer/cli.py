"""``zorgcert-issuer``: the issuer's admin command line (staff and Support).

Exit codes: 0 ok, 1 error (configuration, files), 2 usage, 3 refused by the rules.
A PIN is never printed: it goes only into the letter file or the message box.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from issuer.bootstrap import init_issuer, open_service
from issuer.config import ConfigError, load_config
from issuer.problems import Problem
from issuer.proxy import trusted_networks


def _server() -> ModuleType:
    """The HTTPS server (:mod:`issuer.server`: aiohttp and the web layer), imported only by ``serve``.

    The module's one lazy import: the admin commands (run by the hundred by the demo and the
    tests) start without loading the web server they do not use.
    """
    from issuer import server

    return server


def _leaf(sub: argparse._SubParsersAction, name: str, help: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help, description=help)
    p.add_argument("--data", required=True, type=Path, metavar="DIR", help="the issuer's data folder")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--db", metavar="URL", help="database URL (default: from issuer.toml, else SQLite in DIR)")
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zorgcert-issuer", description="ZorgCert reference issuing service")
    sub = parser.add_subparsers(dest="command", required=True)

    p = _leaf(sub, "init", "create the CA, TLS certificate, database and issuer.toml")
    p.add_argument("--hostname", action="append", default=[], help="TLS name (repeatable)")
    p.add_argument("--ip", action="append", default=[], help="TLS IP address (repeatable)")
    p.add_argument("--name", default="ZorgCert Demo", help="issuer name (CA and letters)")
    p.add_argument("--validity", default="P2Y")
    p.add_argument("--renewal-window", default="P1M")
    p.add_argument("--install-window", default="P60D")
    p.add_argument("--max-pin-attempts", type=int, default=5)
    p.add_argument(
        "--enroll-approval",
        choices=["automatic", "manual"],
        default="automatic",
        help="manual: an enrollment with user number + PIN waits (202 + Retry-After) for 'user approve'",
    )
    p.add_argument(
        "--approval-retry-after",
        type=int,
        default=60,
        metavar="SECONDS",
        help="the Retry-After a waiting client is given (default 60)",
    )

    p = _leaf(sub, "serve", "serve the HTTPS API until SIGTERM")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8443, help="0 picks a free port (printed)")
    p.add_argument(
        "--ready-file",
        type=Path,
        metavar="PATH",
        help="once listening, write {version, url, port, ca, pid} as JSON to PATH (atomically); removed on stop",
    )
    p.add_argument(
        "--client-cert-header",
        metavar="NAME",
        help="behind a TLS terminator: plain HTTP, client certificate from this header (needs --trusted-proxy)",
    )
    p.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDR",
        help="address or network of the TLS terminator, the only peer whose header counts (repeatable; no default)",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        metavar="N",
        help="connections held at once (default and upper bound: the descriptor limit minus a margin)",
    )
    p.add_argument(
        "--handshake-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="time a new connection has to finish its TLS handshake (default 10)",
    )
    p.add_argument(
        "--idle-timeout",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="a connection without a request is closed after this (default 15)",
    )
    p.add_argument(
        "--est-only",
        action="store_true",
        help="serve nothing but /.well-known/est/* (a plain RFC 7030 server: JSON API and portal answer 404)",
    )

    org = sub.add_parser("org", help="organisations").add_subparsers(dest="org_command", required=True)
    p = _leaf(org, "add", "register an organisation (R1)")
    p.add_argument("--name", required=True)
    p.add_argument("--agb", help="AGB code")
    p.add_argument("--kvk", help="KvK (Chamber of Commerce) number, 8 digits (on the paper forms)")
    p.add_argument("--address", help="postal address, one line (on the paper forms)")
    p = _leaf(org, "agreement", "record the organisation's signed agreement (R1)")
    p.add_argument("org_id", type=int)

    user = sub.add_parser("user", help="users").add_subparsers(dest="user_command", required=True)
    p = _leaf(user, "add", "add an approved user; number by e-mail, PIN by letter (R1, R2)")
    p.add_argument("--org", required=True, type=int, metavar="ORG_ID")
    p.add_argument("--kind", required=True, choices=["personal", "system"])
    p.add_argument("--name", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--contact-person", action="store_true")
    p.add_argument(
        "--authorisation",
        action="append",
        metavar="SERVICE",
        help="portal, cov or declaratie (repeatable; default by kind)",
    )
    for name, text in (
        (
            "approve",
            "approve a requested user (PIN to the contact person's message box, R2), or an "
            "enrollment waiting for approval (enroll_approval = manual)",
        ),
        ("show", "one user number: status, certificate, enrollment waiting for approval"),
        ("unblock", "unblock a user number after too many wrong PINs (R12)"),
        ("reset-pin", "new PIN by letter to the contact person (R12)"),
    ):
        _leaf(user, name, text).add_argument("user_number")

    cert = sub.add_parser("cert", help="certificates").add_subparsers(dest="cert_command", required=True)
    p = _leaf(cert, "revoke", "revoke a certificate (R9; reason 'lost' allows a fresh install, R7)")
    p.add_argument("target", metavar="SERIAL|USER_NUMBER")
    p.add_argument("--reason", required=True)
    p = _leaf(cert, "list", "list certificates")
    p.add_argument("--org", type=int, metavar="ORG_ID")

    req = sub.add_parser("request", help="user requests from user management, waiting for Support (R1)")
    req_sub = req.add_subparsers(dest="request_command", required=True)
    p = _leaf(req_sub, "list", "requests waiting for approval (or every request with --all)")
    p.add_argument("--all", action="store_true", help="also approved and rejected requests")
    p = _leaf(req_sub, "approve", "approve: user number by e-mail, PIN to the contact person's message box (R2)")
    p.add_argument("request_id", type=int)
    p = _leaf(req_sub, "reject", "reject: the contact person is told in the message box")
    p.add_argument("request_id", type=int)
    p.add_argument("--reason", help="why (one line; shown to the contact person)")

    p = _leaf(sub, "audit", "the audit log: every contact-person and Support action (oldest first)")
    p.add_argument("--org", type=int, metavar="ORG_ID", help="one organisation only")
    p.add_argument("--limit", type=int, metavar="N", help="the newest N entries only")

    _leaf(sub, "purge", "delete certificates not installed within the install window (R3)")
    return parser


def _command(args: argparse.Namespace) -> str:
    parts = [args.command] + [getattr(args, f"{args.command}_command", None) or ""]
    return " ".join(p for p in parts if p)


def run(args: argparse.Namespace) -> tuple[Any, str]:
    """Carry out one command; returns (JSON result, human text)."""
    cmd = _command(args)
    if cmd == "init":
        cfg = init_issuer(
            args.data,
            name=args.name,
            hostnames=args.hostname or ["localhost"],
            ips=args.ip or ["127.0.0.1"],
            durations={
                "validity": args.validity,
                "renewal_window": args.renewal_window,
                "install_window": args.install_window,
                "max_pin_attempts": args.max_pin_attempts,
            },
            database=args.db or "",
            enroll_approval=args.enroll_approval,
            approval_retry_after=args.approval_retry_after,
        )
        result = {
            "data": str(cfg.data_dir),
            "root_ca": str(cfg.root_ca_pem),
            "config": str(cfg.data_dir / "issuer.toml"),
        }
        return result, f"Issuer created in {cfg.data_dir}; clients trust {cfg.root_ca_pem}"

    if cmd == "serve" and args.ready_file is not None:
        args.ready_file.unlink(missing_ok=True)  # one left by an issuer that was killed says nothing yet
    svc = open_service(args.data, database=args.db)
    if cmd == "serve":
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("aiohttp.access").setLevel(logging.INFO)
        asyncio.run(
            _server().serve(
                load_config(args.data),
                svc,
                host=args.host,
                port=args.port,
                proxy_header=args.client_cert_header,
                trusted_proxies=args.trusted_proxies,
                max_connections=args.max_connections,
                handshake_timeout=args.handshake_timeout,
                idle_timeout=args.idle_timeout,
                ready_file=args.ready_file,
                est_only=args.est_only,
            )
        )
        return {"stopped": True}, ""
    if cmd == "org add":
        org_id = svc.add_organisation(args.name, args.agb, kvk=args.kvk, address=args.address)
        return {"org_id": org_id}, f"Organisation {org_id} registered; record its agreement before requests"
    if cmd == "org agreement":
        at = svc.sign_agreement(args.org_id)
        return {
            "org_id": args.org_id,
            "agreement_signed_at": at.isoformat(),
        }, f"Agreement recorded ({at:%Y-%m-%d})"
    if cmd == "user add":
        new = svc.add_user(
            org_id=args.org,
            kind=args.kind,
            name=args.name,
            email=args.email,
            contact_person=args.contact_person,
            authorisations=tuple(args.authorisation) if args.authorisation else None,
        )
        result = {"user_number": new.user_number, "letter": str(new.letter), "mail": str(new.mail)}
        return result, f"User number {new.user_number}; e-mail: {new.mail}; PIN letter: {new.letter}"
    if cmd == "user approve" and svc.enrollment_waiting(args.user_number):
        result = svc.approve_enrollment(args.user_number)
        return result, (
            f"Enrollment of {result['user_number']} approved; the client gets its certificate when it asks again"
        )
    if cmd == "user show":
        result = svc.user_overview(args.user_number)
        return result, _user_text(result)
    if cmd == "user approve":
        result = svc.approve_user(args.user_number)
        return result, f"Approved {result['user_number']}; PIN in the message box of {result['message_box']}"
    if cmd == "user unblock":
        svc.unblock(args.user_number)
        return {"unblocked": args.user_number}, f"User number {args.user_number} unblocked"
    if cmd == "user reset-pin":
        letter = svc.reset_pin(args.user_number)
        return {"user_number": args.user_number, "letter": str(letter)}, f"New PIN letter: {letter}"
    if cmd == "cert revoke":
        serials = svc.revoke(args.target, args.reason)
        return {"revoked": serials}, "Revoked: " + ", ".join(serials)
    if cmd == "cert list":
        rows = svc.list_certificates(args.org)
        text = (
            "\n".join(
                f"{r['serial']}  {r['user_number']}  {r['state']:<12} until {r['not_after']}  {r['subject']}"
                for r in rows
            )
            or "No certificates"
        )
        return rows, text
    if cmd.startswith("request ") or cmd == "audit":
        return _desk_command(svc, cmd, args)
    if cmd == "purge":
        purged = svc.purge()
        return {"purged": purged}, f"Purged {len(purged)} uninstalled certificate(s)"
    raise AssertionError(cmd)


def _desk_command(svc: Any, cmd: str, args: argparse.Namespace) -> tuple[Any, str]:
    """``request list|approve|reject`` and ``audit`` (issue 16)."""
    if cmd == "request list":
        rows = svc.list_requests(None if args.all else "waiting")
        text = "\n".join(
            f"{r['request_id']:>5}  {r['state']:<8}  {r['kind']:<8}  {r['name']} <{r['email']}>  "
            f"{r['organisation']} (by {r['requested_by']}, {r['requested_at']})"
            for r in rows
        )
        return rows, text or "No requests waiting"
    if cmd == "request approve":
        result = svc.approve_request(args.request_id)
        return result, (
            f"Request {args.request_id} approved: user number {result['user_number']} by e-mail, "
            f"PIN in the message box of {result['message_box']}"
        )
    if cmd == "request reject":
        result = svc.reject_request(args.request_id, args.reason)
        return result, f"Request {args.request_id} rejected; the contact person has a message"
    if args.limit is not None and args.limit < 1:
        raise ValueError("--limit must be at least 1")
    rows = svc.audit_log(org_id=args.org, limit=args.limit)
    text = "\n".join(
        f"{e['at']}  {e['actor_role']:<14} {e['actor']:<24} {e['action']:<18} {e['target'] or ''}"
        + (f"  cert {e['certificate']['serial']}" if e["certificate"] else "")
        for e in rows
    )
    return rows, text or "The audit log is empty"


def _user_text(u: dict[str, Any]) -> str:
    cert, req = u["certificate"], u["enrollment"]
    lines = [
        f"User number {u['user_number']} ({u['kind']}, {u['organisation']}): {u['status']}"
        + (", blocked" if u["blocked"] else f", {u['failed_pin_attempts']} wrong PIN(s)"),
        f"Certificate: {cert['serial']} {cert['state']} until {cert['not_after']}" if cert else "Certificate: none",
    ]
    if req:
        lines.append(f"Enrollment: {req['state']} since {req['requested_at']} (key SHA-256 {req['key_sha256']})")
    return "\n".join(lines)


def _fail(args: argparse.Namespace, message: str) -> int:
    if args.json:
        print(json.dumps({"error": message}))
    print(f"zorgcert-issuer: {message}", file=sys.stderr)
    return 1


def _check_serve(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """TLS-terminator mode only with explicit proxy addresses (exit 2 with the reason otherwise)."""
    if args.client_cert_header and not args.trusted_proxy:
        parser.error(
            "--client-cert-header needs --trusted-proxy ADDR: the address of the TLS terminator, the only "
            "peer whose header is believed (there is no default: any local program could otherwise send "
            "that header with someone's certificate and act as them)"
        )
    if args.max_connections is not None and args.max_connections < 1:
        parser.error("--max-connections must be at least 1")
    if not (0 < args.handshake_timeout <= 300 and 0 < args.idle_timeout <= 3600):
        parser.error("--handshake-timeout must be in (0, 300] and --idle-timeout in (0, 3600] seconds")
    if args.trusted_proxy and not args.client_cert_header:
        parser.error("--trusted-proxy has no use without --client-cert-header")
    try:
        args.trusted_proxies = trusted_networks(args.trusted_proxy)
    except ValueError as exc:
        parser.error(str(exc))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        _check_serve(parser, args)
    args.data = args.data.expanduser().resolve()
    if getattr(args, "ready_file", None) is not None:
        args.ready_file = args.ready_file.expanduser().resolve()
    try:
        result, text = run(args)
    except Problem as p:
        if args.json:
            print(json.dumps(p.body(), indent=2))
        else:
            print(f"zorgcert-issuer: refused ({p.code.value}): {p.detail}", file=sys.stderr)
        return 3
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return _fail(args, f"database error: {detail}")
    except (ConfigError, FileExistsError, ValueError, OSError) as exc:
        return _fail(args, str(exc))
    if args.json:
        print(json.dumps(result, indent=2))
    elif text:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
