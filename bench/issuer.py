"""A local reference issuer for the benchmarks: ``zorgcert-issuer`` over TLS on 127.0.0.1, users by its admin CLI."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import child_env, python

_LISTENING = re.compile(r"listening on (https://127\.0\.0\.1:\d+)/")


@dataclass
class LocalIssuer:
    data: Path
    url: str

    @property
    def ca(self) -> Path:
        return self.data / "root-ca.pem"

    def admin(self, *args: str) -> dict:
        out = subprocess.run([python(), "-m", "issuer.cli", *args, "--data", str(self.data), "--json"],
                             capture_output=True, text=True, check=True, env=child_env())
        return dict(json.loads(out.stdout))

    def organisation(self) -> int:
        org = int(self.admin("org", "add", "--name", "Benchmarkpraktijk", "--agb", "01234567")["org_id"])
        self.admin("org", "agreement", str(org))
        return org

    def user(self, org: int, name: str = "Anna de Vries") -> tuple[str, str]:
        """A new approved user: (user number, PIN read from the letter, as the user would)."""
        new = self.admin("user", "add", "--org", str(org), "--kind", "personal", "--name", name,
                         "--email", "anna@example.invalid")
        pin = re.search(r"^Pincode: (\d+)$", Path(new["letter"]).read_text(encoding="utf-8"), re.M)
        assert pin, new["letter"]
        return new["user_number"], pin.group(1)


@contextmanager
def local_issuer(folder: Path) -> Iterator[LocalIssuer]:
    """``init`` a fresh issuer in ``folder`` and ``serve`` it on a free port; stopped on exit."""
    data = folder / "issuer"
    subprocess.run([python(), "-m", "issuer.cli", "init", "--data", str(data), "--hostname", "localhost",
                    "--ip", "127.0.0.1"], check=True, capture_output=True, env=child_env())
    log = folder / "issuer.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([python(), "-m", "issuer.cli", "serve", "--data", str(data), "--port", "0"],
                                stdout=out, stderr=subprocess.STDOUT, env=child_env(PYTHONUNBUFFERED="1"))
    try:
        deadline = time.monotonic() + 60
        while not (found := _LISTENING.search(log.read_text(errors="replace"))):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the issuer did not start:\n" + log.read_text(errors="replace")[-2000:])
            time.sleep(0.05)
        yield LocalIssuer(data, found.group(1))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
