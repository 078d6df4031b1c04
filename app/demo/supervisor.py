"""``zorgcert demo``: start the children (keyring, issuer, app), tell the user what to do, stop them all.

The issuer and the app run as child processes in their own process groups
(:mod:`app.demo.children`). Ctrl+C, SIGTERM, SIGHUP and normal exit stop them all; so does
``kill -9`` of the demo, on Linux, through the kernel.
"""

from __future__ import annotations

import argparse
import atexit
import json
import signal
import sys
import time
from typing import Any, TextIO

from app.demo import localissuer
from app.demo.appenv import (
    app_argv,
    app_env,
    gui_env,
    gui_missing,
    has_display,
    install_command,
    status_command,
)
from app.demo.children import Children, child_env
from app.demo.folder import DemoError, Layout, default_folder, prepare_folder
from app.demo.keyring import start_keyring
from app.demo.localissuer import IssuerDidNotStart, LocalIssuer
from app.demo.practice import CONTACT, DURATIONS, ORGANISATION, init_issuer, install_deadline, people
from app.errors import Busy
from app.i18n import duration, t
from app.state.files import read_json
from app.state.lock import InstanceLock


class _Stop(Exception):
    """SIGTERM or SIGHUP arrived: leave the wait loop like Ctrl+C."""


def _raise_stop(signum: int, _frame: Any) -> None:
    raise _Stop(signal.Signals(signum).name)


def run(args: argparse.Namespace, lang: str, out: TextIO = sys.stdout) -> int:
    """Start the demo, wait for Ctrl+C (or the app closing), stop everything; the exit code."""
    mode = "short" if args.short else "real"
    layout = Layout((args.folder or default_folder(args.short)).expanduser().resolve())

    def say(key: str, **params: Any) -> None:
        if not args.json:
            print(t(key, lang, **params), file=out, flush=True)

    state = prepare_folder(layout, mode, fresh=args.fresh, lang=lang)
    layout.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    children = Children()
    atexit.register(children.stop_all)
    previous = {s: signal.signal(s, _raise_stop) for s in _stop_signals()}
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started ignored
    try:
        with InstanceLock(layout.folder / "demo.lock"):
            return _run_locked(args, lang, mode, layout, state, children, say, out)
    except Busy:
        raise DemoError("demo.running", "demo.lock is held", folder=str(layout.folder)) from None
    except (KeyboardInterrupt, _Stop):
        say("demo.stopping")
        children.stop_all()
        say("demo.stopped")
        return 0
    finally:
        children.stop_all()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        atexit.unregister(children.stop_all)


def _stop_signals() -> list[int]:
    return [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]


def _start_issuer(layout: Layout, children: Children) -> LocalIssuer:
    """The demo's issuer, a supervised child on a free port; a DemoError when it does not come up."""
    try:
        return localissuer.start(layout.issuer, log=layout.issuer_log, env=child_env(),
                                 spawn=lambda argv, env, log: children.start(argv, env=env, log=log))
    except IssuerDidNotStart as exc:
        raise DemoError("demo.issuer_failed", "the issuer did not start", step="serve", reason=exc.reason,
                        log=str(exc.log)) from None


def _run_locked(args: argparse.Namespace, lang: str, mode: str, layout: Layout, state: dict[str, Any],
                children: Children, say: Any, out: TextIO) -> int:
    d = DURATIONS[mode]
    say("demo.folder", folder=str(layout.folder))
    if init_issuer(layout, mode):
        say("demo.ca_new", ca=str(layout.root_ca))
    else:
        say("demo.ca_reused", ca=str(layout.root_ca))
    say(f"demo.durations.{mode}", **{k: duration(v, lang) for k, v in d.items()})  # "10 minuten", not PT10M

    keyring: dict[str, str] = {}
    keyring_pids: list[int] = []
    if sys.platform.startswith("linux"):
        keyring = start_keyring(layout, children)
        keyring_pids = [p.pid for p in children.procs]
        say("demo.keyring", log=str(layout.keyring_log))
    local = _start_issuer(layout, children)
    issuer, url = local.process, local.url
    say("demo.listening", url=url, log=str(layout.issuer_log))

    user, reused = people(layout, state, mode, url)
    state = dict(read_json(layout.state, {}))
    say("demo.organisation", org=ORGANISATION[0], contact=CONTACT[0])
    if reused:
        say("demo.user_reused", name=user["name"])
    say("demo.user_number", name=user["name"], user_number=user["user_number"])
    deadline = install_deadline(user, mode).astimezone()
    say(f"demo.install_by.{mode}", name=user["name"],
        at=deadline.strftime("%H:%M:%S" if mode == "short" else "%Y-%m-%d %H:%M"))
    say("demo.letter", letter=user["letter"])
    say("demo.mail", mail=user["mail"])
    if sys.platform.startswith("linux"):
        say("demo.isolated", home=str(layout.app_home), nssdb=str(layout.user_home / ".pki" / "nssdb"))
    else:
        say("demo.not_isolated", home=str(layout.app_home))

    install = install_command(layout, url, lang, user["user_number"], keyring)
    why_not = None
    if args.no_gui:
        why_not = "--no-gui"
    elif not has_display():
        why_not = "no-display"
        say("demo.no_display")
    else:
        missing = gui_missing()
        if missing:
            why_not = "no-ui"
            say("demo.no_ui", reason=missing)

    gui = None
    if why_not is None:
        gui = children.start(app_argv("gui"), env=gui_env(layout, url, lang, keyring), log=layout.app_log)
        say("demo.gui_opened", user_number=user["user_number"])
    else:
        say("demo.cli_steps")
        if not args.json:
            print("\n    " + install + "\n", file=out, flush=True)
        say("demo.cli_then")
        if not args.json:
            print("\n    " + status_command(layout, url, lang, keyring) + "\n", file=out, flush=True)
    if args.json:
        facts = {"folder": str(layout.folder), "mode": mode, "durations": d, "issuer_url": url,
                 "issuer_ca": str(layout.root_ca), "issuer_pid": issuer.pid,
                 "keyring_pids": keyring_pids, "gui": gui is not None,
                 "gui_pid": gui.pid if gui else None, "why_no_gui": why_not, "organisation": ORGANISATION[0],
                 "contact_person": CONTACT[0], "user_number": user["user_number"], "name": user["name"],
                 "user_reused": reused, "install_by": install_deadline(user, mode).isoformat(),
                 "letter": user["letter"], "mail": user["mail"], "env": app_env(layout, url, lang, keyring),
                 "install_command": install}
        print(json.dumps(facts), file=out, flush=True)
    say("demo.stop_hint")

    while True:
        if issuer.poll() is not None:
            raise DemoError("demo.issuer_failed", f"issuer exited {issuer.returncode}", step="serve",
                            reason=local.last_line() or str(issuer.returncode),
                            log=str(layout.issuer_log))
        if gui is not None and gui.poll() is not None:
            if gui.returncode == 0:
                say("demo.app_closed")
                children.stop_all()
                say("demo.stopped")
                return 0
            say("demo.app_failed", code=gui.returncode, log=str(layout.app_log))
            say("demo.cli_steps")
            if not args.json:
                print("\n    " + install + "\n", file=out, flush=True)
            gui = None
        time.sleep(1.0)
