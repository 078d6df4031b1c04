"""A local reference issuer for the benchmarks: ``zorgcert-issuer`` over TLS on 127.0.0.1, users by its admin CLI."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.demo import localissuer
from bench.common import child_env, python


@dataclass
class BenchIssuer:
    """A running local issuer and its admin commands."""

    data: Path
    url: str
    ca: Path

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
def local_issuer(folder: Path) -> Iterator[BenchIssuer]:
    """``init`` a fresh issuer in ``folder`` and ``serve`` it on a free port; stopped on exit.

    Started with :mod:`app.demo.localissuer`, which learns the address from the issuer's ready file.
    """
    data = folder / "issuer"
    subprocess.run([python(), "-m", "issuer.cli", "init", "--data", str(data), "--hostname", "localhost",
                    "--ip", "127.0.0.1"], check=True, capture_output=True, env=child_env())
    running = localissuer.start(data, log=folder / "issuer.log", env=child_env(),
                                command=[python(), "-m", "issuer.cli"])
    try:
        yield BenchIssuer(data, running.url, running.ca)
    finally:
        running.stop()
