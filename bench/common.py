"""What every benchmark shares: timing a command cold, medians, the machine, printing a figure."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"


def python() -> str:
    """The project's venv interpreter (the one ``zorgcert`` runs on), else this one."""
    return str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


def wall_ms(argv: Sequence[str], env: dict[str, str] | None = None, *, check: bool = True,
            stdin: str | None = None) -> float:
    """Wall-clock milliseconds of one run of ``argv``, from fork to exit."""
    start = time.perf_counter()
    proc = subprocess.run(list(argv), env=env, capture_output=True, text=True, input=stdin)
    elapsed = (time.perf_counter() - start) * 1000
    if check and proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    return elapsed


def interleaved(subjects: dict[str, Callable[[], float]], runs: int, warmup: int = 1) -> dict[str, list[float]]:
    """Run each subject ``runs`` times, round-robin, so all see the same machine load; all timings."""
    for _ in range(warmup):  # page cache and .pyc files warm, as for a user's second command
        for measure in subjects.values():
            measure()
    out: dict[str, list[float]] = {name: [] for name in subjects}
    for _ in range(runs):
        for name, measure in subjects.items():
            out[name].append(measure())
    return out


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float]) -> str:
    """Median with the lowest and highest run, for the report."""
    return f"{median(values):7.1f} ms  (min {min(values):.1f}, max {max(values):.1f}, n={len(values)})"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    py = subprocess.run([python(), "-c", "import sys; print(sys.version.split()[0])"], capture_output=True,
                        text=True).stdout.strip()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {"cpus": str(os.cpu_count()), "cpu": cpu, "python": py, "os": platform.platform(),
            "load_1min": f"{load:.2f}", "date": time.strftime("%Y-%m-%d %H:%M %Z")}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def header(title: str) -> None:
    m = machine()
    print(f"# {title}")
    print(f"# {m['date']}; {m['cpus']} x {m['cpu']}; Python {m['python']}; {m['os']}; load {m['load_1min']}")


_PYCACHE = Path(tempfile.gettempdir()) / f"zorgcert-bench-pycache-{os.getuid() if hasattr(os, 'getuid') else 0}"


def child_env(**extra: str) -> dict[str, str]:
    """The environment for measured commands: no issuer override, bytecode cached as on a user's machine.

    A user's installation has compiled bytecode (pip and PyInstaller write it); a
    development shell may say PYTHONDONTWRITEBYTECODE, which would make every cold start
    compile the sources again. The measured runs keep their bytecode in a cache folder
    of their own, filled by the warm-up run.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZORGCERT_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(_PYCACHE)
    env.update(extra)
    return env
