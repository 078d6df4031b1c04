"""A full install against the local issuer, split into its stages, with RSA-3072 as the issuer asks.

Stages, each timed with the core's own functions (median of ``--runs``, each run a new user):

* key generation   ``identity.generate_key`` (RSA-3072, from the issuer's CSR attributes)
* enrollment       CSR + EST ``simpleenroll`` over TLS with user number and PIN
* store import     ``NssStore.install`` (certificate, PKCS#12 via pk12util) minus its read-back
* read-back        ``NssStore.find``: what ``install`` runs at its end to prove key and certificate are there
* backup KDF       Argon2id with the parameters ``backup.kdf.calibrate`` picks on this machine

Target (project issue 6): install without the KDF under 1 s. The KDF is meant to be slow
(about half a second): it is what makes guessing a backup passphrase expensive.

When a Secret Service is reachable (or ``--keyring`` starts a private one) the script also
runs the real ``ZorgCert.install`` and reports the stage boundaries its progress callback
gives (contact, key, enroll, install: includes the vault and the keyring).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import header, verdict

TARGET_S = 1.0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def split_stages(issuer, org: int, folder: Path, runs: int) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    from app.enroll import identity
    from app.enroll.est import IssuerClient
    from backup import kdf
    from keystore.nss import NssStore

    client = IssuerClient(issuer.url, issuer.ca)
    t0 = time.perf_counter()
    client.policy()
    chain = client.cacerts()
    spec = identity.KeySpec.from_csrattrs(client.csrattrs())
    contact = time.perf_counter() - t0
    assert spec.algorithm == "rsa" and spec.rsa_bits == 3072, spec
    calibration = kdf.calibrate()
    print(f"# issuer asks for {spec.algorithm.upper()}-{spec.rsa_bits}; backup KDF: {calibration.params.describe()}")

    out: dict[str, list[float]] = {k: [] for k in ("contact", "key generation", "enrollment", "store import",
                                                   "read-back", "backup KDF")}
    for i in range(runs):
        number, pin = issuer.user(org, f"Gebruiker {i}")
        store = NssStore(folder / f"nssdb-{i}", label="bench", create=True)
        t = time.perf_counter()
        key = identity.generate_key(spec)
        t_key = time.perf_counter()
        cert = client.simpleenroll(number, pin, identity.csr_der(key))
        t_enroll = time.perf_counter()
        ident = identity.make_identity(number, key, cert, chain)
        ref = store.install(ident)
        t_install = time.perf_counter()
        assert store.find(ident.fingerprint) == ref
        t_find = time.perf_counter()
        kdf.derive("correct horse battery staple", os.urandom(16), calibration.params, 32)
        t_kdf = time.perf_counter()
        read_back = t_find - t_install
        out["contact"].append(contact)
        out["key generation"].append(t_key - t)
        out["enrollment"].append(t_enroll - t_key)
        out["store import"].append(max(t_install - t_enroll - read_back, 0.0))
        out["read-back"].append(read_back)
        out["backup KDF"].append(t_kdf - t_find)
    return out


def service_install(issuer, org: int, folder: Path, runs: int) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    """The real ``ZorgCert.install``, timed between its progress callbacks."""
    from app.lifecycle.services import ZorgCert
    from app.state.config import IssuerSettings
    from app.state.paths import Paths

    out: dict[str, list[float]] = {}
    for i in range(runs):
        number, pin = issuer.user(org, f"Dienst {i}")
        home = folder / f"svc-{i}"
        core = ZorgCert(Paths(home / "config", home / "data", home / "logs"), IssuerSettings(issuer.url, issuer.ca))
        db = home / "nssdb"  # a browser's database, made before (as the browser would have)
        db.mkdir(parents=True)
        subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True, capture_output=True)
        marks: list[tuple[str, float]] = [("start", time.perf_counter())]
        core.install(number, pin, store=f"nss:{db}",
                     progress=lambda stage, marks=marks: marks.append((stage, time.perf_counter())))
        marks.append(("done", time.perf_counter()))
        for (stage, t), (_, t_next) in zip(marks[1:], marks[2:], strict=False):
            out.setdefault(stage, []).append(t_next - t)
        out.setdefault("total", []).append(marks[-1][1] - marks[0][1])
    return out


def _keyring_works() -> bool:
    try:
        from app.state.vault import keyring_secret

        keyring_secret("bench-probe", create=True)
        return True
    except Exception:  # noqa: BLE001 - any backend failure: no keyring here
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keyring", action="store_true",
                        help="start a private Secret Service (gnome-keyring) for the ZorgCert.install run")
    args = parser.parse_args(argv)

    from bench.issuer import local_issuer

    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="zorgcert-bench-install-")))
        if args.keyring:
            sys.path.append(str(Path(__file__).resolve().parent.parent / "tests"))  # after the packages
            from desktop_session import secret_service_session

            stack.enter_context(secret_service_session())
        issuer = stack.enter_context(local_issuer(folder))
        org = issuer.organisation()
        stages = split_stages(issuer, org, folder, args.runs)
        service = service_install(issuer, org, folder, args.runs) if _keyring_works() else None

    header("install against the local issuer (RSA-3072), stage by stage")
    for name, values in stages.items():
        print(f"{name:<16} {_ms(statistics.median(values))}  (min {min(values) * 1000:.0f}, "
              f"max {max(values) * 1000:.0f}, n={len(values)})")
    no_kdf = [sum(stages[k][i] for k in ("key generation", "enrollment", "store import", "read-back"))
              for i in range(args.runs)]
    median_no_kdf = statistics.median(no_kdf)
    print(f"{'install w/o KDF':<16} {_ms(median_no_kdf)}  (key + enrollment + import + read-back, per run)")
    print(f"target install without the KDF < {TARGET_S:.0f} s: {verdict(median_no_kdf < TARGET_S)}")
    if service is None:
        print("# ZorgCert.install not run: no Secret Service here (use --keyring)")
    else:
        print("# ZorgCert.install (real service: journal, vault, keyring), between progress callbacks:")
        for name, values in service.items():
            print(f"  {name:<14} {_ms(statistics.median(values))}  (n={len(values)})")
    return 0 if median_no_kdf < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
