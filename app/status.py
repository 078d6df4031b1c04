"""What this machine holds and in what state now: the one place status is worked out (CLI, app, tray agent).

Light on purpose: ``zorgcert status`` is a new interpreter every time (target: under
150 ms with 50 certificates), so this module needs only the wallet and the policy, and
asks each store once, the quickest way it can (NSS: its database files, no certutil).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from app import policy
from app.errors import ZorgCertError
from app.paths import Paths
from app.wallet import Wallet
from keystore.base import StoreError, StoreRef


def rows(paths: Paths, now: datetime, wallet: Wallet | None = None) -> list[dict[str, Any]]:
    """Every certificate in the wallet with its state at ``now`` (``lost`` when a store lost it)."""
    wallet = wallet or Wallet(paths.wallet_file)
    listing: dict[str, set[str]] = {}
    out = []
    for entry in wallet.entries():
        durations = policy.Durations.from_iso(
            **{k: entry.policy[k] for k in ("validity", "renewal_window", "install_window")}
        )
        state = policy.certificate_state(
            not_after=entry.not_after_dt, revoked=entry.revoked, durations=durations, now=now
        )
        present = {i for i, r in enumerate(entry.stores) if entry.fingerprint in held(r, paths, listing)}
        if state in (policy.CertState.VALID, policy.CertState.RENEWAL_OPEN) and len(present) < len(entry.stores):
            state = policy.CertState.LOST
        out.append(
            {
                "user_number": entry.user_number,
                "kind": entry.kind,
                "name": entry.name,
                "organisation": entry.organisation,
                "subject": entry.subject,
                "serial": entry.serial,
                "fingerprint": entry.fingerprint,
                "valid_from": entry.not_before,
                "valid_until": entry.not_after,
                "days_left": max((entry.not_after_dt - now).days, 0),
                "state": state.value,
                "renewal_opens": policy.renewal_opens_at(entry.not_after_dt, durations).isoformat(),
                "installed_in": [r.as_json() | {"present": i in present} for i, r in enumerate(entry.stores)],
                "installed_at": entry.installed_at,
                "last_backup": entry.last_backup_at,
                "backup_current": entry.backup_is_current,
            }
        )
    from app.trustfix import drop_stale_website_trust  # issue 11: no process unless an older version's trust is there

    drop_stale_website_trust(paths, wallet)
    return out


def held(ref: StoreRef, paths: Paths, cache: dict[str, set[str]]) -> set[str]:
    """Fingerprints the store of ``ref`` holds with their keys (one listing per store, kept in ``cache``)."""
    key = f"{ref.store}:{ref.location}"
    if key not in cache:
        found = None
        if ref.store == "nss":  # the database files themselves: no certutil process per certificate
            from keystore.nss_read import held_fingerprints

            found = held_fingerprints(Path(ref.location.removeprefix("sql:")))
        try:
            if found is None:
                from app.stores import store_for

                store = store_for(ref, paths)
                found = {r.fingerprint for r in store.list_ours()} if store.available().ok else set()
        except (StoreError, ZorgCertError):
            found = set()
        cache[key] = found
    return cache[key]
