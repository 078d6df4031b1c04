"""GUI cold start to the first painted dashboard (offscreen), beside a bare PySide6 window with one label.

Both are a new process each run (``bench/gui_driver.py``), timed from start to the first
paint: for ZorgCert the dashboard showing one certificate, read from a real wallet and
NSS database by the app's worker thread. Target (project issue 6): within 1.5x the bare
window. Median of ``--runs``, round-robin.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import child_env, header, interleaved, median, python, spread, verdict, wall_ms

DRIVER = str(Path(__file__).resolve().parent / "gui_driver.py")
TARGET_RATIO = 1.5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)

    from bench.fixtures import make_home

    with tempfile.TemporaryDirectory(prefix="zorgcert-bench-gui-") as tmp:
        env = child_env(**make_home(Path(tmp), 1), QT_QPA_PLATFORM="offscreen", ZORGCERT_LANG="nl")
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        times = interleaved({
            "bare PySide6 window (1 label)": lambda: wall_ms([python(), DRIVER, "bare"], env),
            "ZorgCert dashboard (1 cert)": lambda: wall_ms([python(), DRIVER, "dashboard"], env),
        }, runs=args.runs)

    header("GUI cold start to first paint (QT_QPA_PLATFORM=offscreen)")
    for name, values in times.items():
        print(f"{name:<32} {spread(values)}")
    bare, dash = median(times["bare PySide6 window (1 label)"]), median(times["ZorgCert dashboard (1 cert)"])
    print(f"dashboard / bare window: {dash / bare:.2f}")
    print(f"target dashboard within {TARGET_RATIO}x the bare window: {verdict(dash <= TARGET_RATIO * bare)}")
    return 0 if dash <= TARGET_RATIO * bare else 1


if __name__ == "__main__":
    sys.exit(main())
