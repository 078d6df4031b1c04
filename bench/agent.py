"""Tray agent at rest: resident memory and wake-ups over a minute.

The agent runs for real (``ui.app.agent_main``, what ``zorgcert agent`` starts) on an Xvfb
display with a system tray host (``trayer``), watching a wallet with one certificate.
After it settles, the script reads every thread's context switches from
``/proc/<pid>/task/*/status`` at the start and end of the window: each voluntary switch is
a thread going back to sleep, so their sum is the number of wake-ups. The agent's own
timers (a heartbeat every 60 s, the next check at most hourly) account for a few; the
target is no wake-ups between those ticks, and under 80 MB resident.

Without Xvfb or trayer (``--offscreen``) it builds the same ``Agent`` under Qt's offscreen
platform, which has no system tray: the timers and the event loop are the same, the icon
is not shown.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, child_env, header, python, verdict

TARGET_RSS_MB = 80.0
HEARTBEAT_S = 60
AGENT = ("import sys; sys.path.insert(0, {root!r}); from ui.app import agent_main; sys.exit(agent_main([]))")
BARE_TRAY = (  # the baseline: the least PySide6 program with a tray icon and a menu
    "import sys\nfrom PySide6.QtGui import QIcon, QPixmap\n"
    "from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon\n"
    "qapp = QApplication(sys.argv[:1]); qapp.setQuitOnLastWindowClosed(False)\n"
    "pixmap = QPixmap(22, 22); pixmap.fill(); tray = QSystemTrayIcon(QIcon(pixmap)); menu = QMenu()\n"
    "menu.addAction('Quit', qapp.quit); tray.setContextMenu(menu); tray.show()\n"
    "sys.exit(qapp.exec())\n"
)
OFFSCREEN_AGENT = (
    "import sys; sys.path.insert(0, {root!r})\n"
    "from ui.app import application\nfrom app.desk.desktop import Desktop\nfrom app.state.paths import paths\n"
    "from ui.tray import Agent\n"
    "qapp = application(); qapp.setQuitOnLastWindowClosed(False)\n"
    "desktop = Desktop(paths()); agent = Agent(desktop, desktop.language(None)); agent.start()\n"
    "sys.exit(qapp.exec())\n"
)


def threads(pid: int) -> dict[str, tuple[str, int, int]]:
    """tid -> (name, voluntary, involuntary context switches)."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = dict(line.split(":\t", 1) for line in (task / "status").read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        out[task.name] = (fields["Name"].strip(), int(fields["voluntary_ctxt_switches"]),
                          int(fields["nonvoluntary_ctxt_switches"]))
    return out


def rss_mb(pid: int) -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def start_display() -> tuple[list[subprocess.Popen[bytes]], str]:
    """Xvfb on a free display number, and trayer as the system tray host on it."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as fh:
        display = ":" + fh.readline().strip()
    tray = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--height", "24"],
                            env={**os.environ, "DISPLAY": display}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return [tray, xvfb], display


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60, help="the idle window measured")
    parser.add_argument("--settle", type=int, default=35,
                        help="seconds to let it start, check once and let its worker threads expire (30 s)")
    parser.add_argument("--offscreen", action="store_true", help="no Xvfb/trayer: Qt offscreen, no tray icon")
    args = parser.parse_args(argv)

    from bench.fixtures import make_home

    offscreen = args.offscreen or not (shutil.which("Xvfb") and shutil.which("trayer"))
    helpers: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="zorgcert-bench-agent-") as tmp:
        env = child_env(**make_home(Path(tmp), 1), ZORGCERT_LANG="nl")
        if offscreen:
            env.update(QT_QPA_PLATFORM="offscreen")  # the bare tray icon runs there too, just as unseen
            code, mode = OFFSCREEN_AGENT.format(root=str(ROOT)), "Qt offscreen (no system tray)"
        else:
            helpers, display = start_display()
            env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
            code, mode = AGENT.format(root=str(ROOT)), f"Xvfb {display} with trayer as the system tray"
        try:
            from concurrent.futures import ThreadPoolExecutor

            programs = {"bare PySide6 tray icon": BARE_TRAY, "ZorgCert agent": code}
            with ThreadPoolExecutor(len(programs)) as pool:  # side by side: the same minute for both
                futures = {name: pool.submit(measure, [python(), "-c", program], env, args.settle, args.seconds)
                           for name, program in programs.items()}
                results = {name: future.result() for name, future in futures.items()}
        finally:
            for helper in helpers:
                helper.terminate()
                helper.wait()

    header(f"tray agent idle for {args.seconds} s ({mode})")
    ticks = args.seconds // HEARTBEAT_S
    for name, (rss, peak, per_thread) in results.items():
        print(f"{name}: resident {rss:.1f} MB (peak {peak:.1f} MB), "
              f"wake-ups in {args.seconds} s: {sum(w for _, _, w, _ in per_thread)}")
        for tid, thread, woke, preempted in per_thread:
            print(f"  thread {tid:>7} {thread:<16} wake-ups {woke:4d}  (preempted {preempted})")
    rss, _, per_thread = results["ZorgCert agent"]
    woke = sum(w for _, _, w, _ in per_thread)
    print(f"heartbeat ticks in the window: {ticks}")
    print(f"target resident < {TARGET_RSS_MB:.0f} MB: {verdict(rss < TARGET_RSS_MB)}")
    # a tick wakes the main thread and, at most, a worker it hands the check to: a few switches per tick
    quiet = woke <= 4 * max(ticks, 1)
    print(f"target no wake-ups between timer ticks (<= 4 per tick): {verdict(quiet)}")
    return 0 if rss < TARGET_RSS_MB and quiet else 1


def measure(argv: list[str], env: dict[str, str], settle: int, seconds: int
            ) -> tuple[float, float, list[tuple[str, str, int, int]]]:
    """Start ``argv``, let it settle, watch it ``seconds``: RSS, peak RSS, per thread (tid, name, woke, preempted)."""
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(settle)
        if proc.poll() is not None:
            _, err = proc.communicate()
            raise SystemExit(f"{argv[-1][:40]!r} exited {proc.returncode}: {err.decode(errors='replace')[-800:]}")
        before = threads(proc.pid)
        time.sleep(seconds)
        after = threads(proc.pid)
        rss, peak = rss_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    rows = []
    for tid, (name, vol, invol) in sorted(after.items()):
        start = before.get(tid, (name, 0, 0))
        rows.append((tid, name, vol - start[1], invol - start[2]))
    return rss, peak, rows

if __name__ == "__main__":
    sys.exit(main())
