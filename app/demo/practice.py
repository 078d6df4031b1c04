"""The demo practice: its issuer data folder, the organisation, its contact person, and the user to install.

The issuer's admin CLI makes them (as staff would), so the demo goes through the same rules
as a real practice; the state of earlier runs (``demo.json``) decides whether the last user
can be installed again or a new one is added.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from app.clock import utcnow
from app.demo.children import child_env
from app.demo.folder import DemoError, Layout
from app.demo.localissuer import issuer_command
from app.enroll import identity
from app.enroll.est import IssuerClient
from app.errors import IssuerRefused
from app.policy import parse_span
from app.state.files import write_json

DURATIONS = {
    "short": {"validity": "PT10M", "renewal_window": "PT4M", "install_window": "PT5M"},
    "real": {"validity": "P2Y", "renewal_window": "P1M", "install_window": "P60D"},
}
ORGANISATION = ("Huisartsenpraktijk De Linde (demo)", "01234567")
CONTACT = ("Jan Jansen", "jan.jansen@example.invalid")
USER = ("Anna de Vries", "anna.devries@example.invalid")
# Each new demo user gets the next name, so two users of one demo are never confused.
USERS = (USER, ("Bram Bakker", "bram.bakker@example.invalid"), ("Carla Smit", "carla.smit@example.invalid"),
         ("Daan Visser", "daan.visser@example.invalid"), ("Eva de Jong", "eva.dejong@example.invalid"),
         ("Fatima El Amrani", "fatima.elamrani@example.invalid"))
STATE_VERSION = 1


def issuer_admin(layout: Layout, *args: str) -> dict[str, Any]:
    """One ``zorgcert-issuer`` admin command with ``--json``; its answer."""
    argv = [*issuer_command(), *args, "--data", str(layout.issuer), "--json"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=child_env())
    if proc.returncode != 0:
        said = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise DemoError("demo.issuer_failed", f"{args[0]} exited {proc.returncode}",
                        step=" ".join(args[:2]), reason=said[-1] if said else str(proc.returncode),
                        log=str(layout.issuer_log))
    return dict(json.loads(proc.stdout))


def init_issuer(layout: Layout, mode: str) -> bool:
    """``zorgcert-issuer init`` once; False when the folder already held a CA."""
    if (layout.issuer / "ca").exists():
        return False
    d = DURATIONS[mode]
    issuer_admin(layout, "init", "--name", "ZorgCert Demo", "--hostname", "localhost", "--ip", "127.0.0.1",
                  "--validity", d["validity"], "--renewal-window", d["renewal_window"],
                  "--install-window", d["install_window"])
    return True


def people(layout: Layout, state: dict[str, Any], mode: str, url: str) -> tuple[dict[str, Any], bool]:
    """The demo practice, its contact person (with a certificate), and the user to install: (user, reused).

    The user of the previous run is used again while her certificate can still be installed
    (never installed and inside the install window, or expired: R6); otherwise a new user with
    the next name is added.
    """
    if "org_id" not in state:
        org_id = int(issuer_admin(layout, "org", "add", "--name", ORGANISATION[0], "--agb", ORGANISATION[1])["org_id"])
        issuer_admin(layout, "org", "agreement", str(org_id))
        state = {"version": STATE_VERSION, "mode": mode, "org_id": org_id, "users": []}
        write_json(layout.state, state)
    if not state.get("contact_installed"):
        _contact_person(layout, state, url)
    user = _installable_user(layout, state, mode)
    if user is not None:
        return user, True
    users = state.get("users", [])
    name, email = USERS[len(users) % len(USERS)]
    if len(users) >= len(USERS):
        name = f"{name} ({len(users) // len(USERS) + 1})"
    added_at = utcnow()  # a moment before the issuer's approval: the deadline shown errs on the early side
    new = issuer_admin(layout, "user", "add", "--org", str(state["org_id"]), "--kind", "personal", "--name",
                        name, "--email", email)
    user = {"user_number": new["user_number"], "name": name, "letter": new["letter"], "mail": new["mail"],
            "added_at": added_at.isoformat()}
    state["users"] = [*users, user]
    write_json(layout.state, state)
    return user, False


def _contact_person(layout: Layout, state: dict[str, Any], url: str) -> None:
    """Make the contact person and install his certificate (on "his own computer": the demo, key not kept).

    The issuer names an organisation's contact person only while he is an approved user; one
    whose certificate is never installed is deleted after the install window (R3), and then
    "Wie is mijn contactpersoon?" has no answer. So the demo installs his certificate at once.
    """
    contact = issuer_admin(layout, "user", "add", "--org", str(state["org_id"]), "--kind", "personal", "--name",
                            CONTACT[0], "--email", CONTACT[1], "--contact-person")
    pin = re.search(r"^Pincode: (\d+)$", Path(contact["letter"]).read_text(encoding="utf-8"), re.M)
    if pin is None:
        raise DemoError("demo.issuer_failed", "no PIN in the contact person's letter", step="user add",
                        reason=contact["letter"], log=str(layout.issuer_log))
    client = IssuerClient(url, layout.root_ca)
    key = identity.generate_key(identity.KeySpec.from_csrattrs(client.csrattrs()))
    try:
        client.simpleenroll(contact["user_number"], pin.group(1), identity.csr_der(key))
    except IssuerRefused as exc:
        raise DemoError("demo.issuer_failed", f"contact person enroll: {exc.code}", step="enroll",
                        reason=exc.code, log=str(layout.issuer_log)) from None
    state.update(contact_user_number=contact["user_number"], contact_letter=contact["letter"],
                 contact_installed=True)
    write_json(layout.state, state)


def _installable_user(layout: Layout, state: dict[str, Any], mode: str) -> dict[str, Any] | None:
    """The last demo user if her certificate can still be installed with her PIN, else None."""
    users = [u for u in state.get("users", []) if isinstance(u, dict)]  # older demo folders kept numbers only
    if not users:
        return None
    last = users[-1]
    certs = [c for c in _issuer_admin_list(layout, "cert", "list", "--org", str(state["org_id"]))
             if c.get("user_number") == last["user_number"]]
    now = utcnow()
    if certs:
        return last if certs[-1].get("state") == "expired" else None  # R6 reinstall; valid or revoked: no
    window = parse_span(DURATIONS[mode]["install_window"])
    deadline = datetime.fromisoformat(last["added_at"]) + window
    margin = (now + window) - now  # a tenth of the window left at least: time to read the letter
    return last if deadline - now > margin / 10 else None


def _issuer_admin_list(layout: Layout, *args: str) -> list[dict[str, Any]]:
    argv = [*issuer_command(), *args, "--data", str(layout.issuer), "--json"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=child_env())
    if proc.returncode != 0:
        raise DemoError("demo.issuer_failed", f"{args[0]} exited {proc.returncode}", step=" ".join(args[:2]),
                        reason=proc.returncode, log=str(layout.issuer_log))
    return list(json.loads(proc.stdout))


def install_deadline(user: dict[str, Any], mode: str) -> datetime:
    """When the issuer deletes ``user``'s certificate if it is not installed (R3), as an aware datetime."""
    return datetime.fromisoformat(user["added_at"]) + parse_span(DURATIONS[mode]["install_window"])
