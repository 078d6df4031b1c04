"""``zorgcert status`` cold start with 1 and 50 certificates, beside ``python -c pass`` and ``certbot certificates``.

Targets (project issue 6): under 150 ms, and under a quarter of certbot's time over 50
lineages. Each figure is the median of ``--runs`` cold starts (a new process each time),
run round-robin with its baselines so all see the same machine load.

Certbot comes from PyPI into ``bench/.venv-certbot`` (made on first use).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, child_env, header, interleaved, median, python, spread, verdict, wall_ms

CERTBOT_VENV = ROOT / "bench" / ".venv-certbot"
TARGET_MS = 150.0


def certbot() -> Path:
    """``certbot`` from PyPI in its own venv (installed on first use)."""
    exe = CERTBOT_VENV / "bin" / "certbot"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(CERTBOT_VENV)], check=True)
        subprocess.run([str(CERTBOT_VENV / "bin" / "pip"), "install", "-q", "certbot"], check=True)
    return exe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)

    from bench.certbot_lineages import make_lineages
    from bench.fixtures import make_home

    zorgcert = [str(Path(python()).parent / "zorgcert"), "status"]
    cb = certbot()
    version = subprocess.run([str(cb), "--version"], capture_output=True, text=True).stdout.split()[-1]
    with tempfile.TemporaryDirectory(prefix="zorgcert-bench-") as tmp:
        root = Path(tmp)
        envs = {n: child_env(**make_home(root / f"n{n}", n), ZORGCERT_LANG="nl") for n in (1, 50)}
        for n, env in envs.items():  # the machines must say what we think they hold
            out = subprocess.run([*zorgcert, "--json"], env=env, capture_output=True, text=True, check=True).stdout
            rows = json.loads(out)
            assert len(rows) == n and all(r["installed_in"][0]["present"] for r in rows), out[:500]
        cb_dirs = root / "certbot"
        make_lineages(cb_dirs / "config", 50, version)
        cb_argv = [str(cb), "certificates", "--config-dir", str(cb_dirs / "config"), "--work-dir",
                   str(cb_dirs / "work"), "--logs-dir", str(cb_dirs / "logs")]
        listed = subprocess.run(cb_argv, capture_output=True, text=True, check=True).stdout
        assert listed.count("Certificate Name:") == 50, listed[:500]

        times = interleaved({
            "python -c pass": lambda: wall_ms([python(), "-c", "pass"], child_env()),
            "zorgcert status (1)": lambda: wall_ms(zorgcert, envs[1]),
            "zorgcert status (50)": lambda: wall_ms(zorgcert, envs[50]),
            f"certbot {version} certificates (50)": lambda: wall_ms(cb_argv, child_env()),
        }, runs=args.runs)

    header("zorgcert status: cold start")
    for name, values in times.items():
        print(f"{name:<36} {spread(values)}")
    bare = median(times["python -c pass"])
    one, fifty = median(times["zorgcert status (1)"]), median(times["zorgcert status (50)"])
    peer = median(times[f"certbot {version} certificates (50)"])
    print(f"status (50) minus bare interpreter: {fifty - bare:.1f} ms; status / certbot: {fifty / peer:.2f}")
    print(f"target status < {TARGET_MS:.0f} ms (1: {one:.0f}, 50: {fifty:.0f}): {verdict(max(one, fifty) < TARGET_MS)}")
    print(f"target status (50) < certbot / 4 ({peer / 4:.0f} ms): {verdict(fifty < peer / 4)}")
    if args.json:
        print(json.dumps({name: median(v) for name, v in times.items()}))
    return 0 if max(one, fifty) < TARGET_MS and fifty < peer / 4 else 1


if __name__ == "__main__":
    sys.exit(main())
