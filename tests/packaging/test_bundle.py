"""The frozen Linux bundle (PyInstaller, scripts/build-linux) runs without the venv: CLI, issuer, demo, Qt.

The build is cached: it runs again only when a source, the spec or the build script changed
(a SHA-256 over them is kept beside the bundle). A fresh build takes about a minute here. The last
two builds are also kept in ``~/.cache/zorgcert/bundles/`` under that hash and the installed packages'
versions, so a fresh clone of an unchanged tree (CI after a local run) copies instead of building.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from issuer_harness import RunningIssuer, start_issuer
from machine import exclusive

from app import __version__

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
BUNDLE = DIST / "zorgcert" / "zorgcert"
STAMP = DIST / ".zorgcert-source-sha256"
CACHE = Path.home() / ".cache" / "zorgcert" / "bundles"
CACHE_KEEP = 2
MAX_COMPRESSED_MB = 60

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle is built on Linux"),
    pytest.mark.slow,
    pytest.mark.timeout(1200),  # the first test waits for a fresh build: ~1.5 min here, far longer when loaded
]


def source_hash() -> str:
    """SHA-256 over everything that goes into the bundle."""
    digest = hashlib.sha256()
    files = [ROOT / "pyproject.toml", ROOT / "scripts" / "build-linux"]
    for folder in ("app", "ui", "keystore", "backup", "issuer", "resources", "packaging"):
        files += [p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and not p.is_relative_to(ROOT / "packaging" / "windows")]  # the Windows installer's own
    for path in sorted(files):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def toolchain_hash(source: str) -> str:
    """The source hash with the Python and every installed package's version: what a cached build needs."""
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    text = "\n".join([source, sys.version, platform.machine(), *packages])
    return hashlib.sha256(text.encode()).hexdigest()


def _from_cache(key: str) -> bool:
    """Copy a cached build of ``key`` into dist/; False when there is none."""
    cached = CACHE / key
    with exclusive("bundle-cache"):
        if not (cached / "complete").is_file():
            return False
        shutil.rmtree(DIST / "zorgcert", ignore_errors=True)
        for old in DIST.glob("zorgcert-linux-*.tar.gz"):
            old.unlink()
        DIST.mkdir(exist_ok=True)
        shutil.copytree(cached / "zorgcert", DIST / "zorgcert", symlinks=True)
        for archive in cached.glob("zorgcert-linux-*.tar.gz"):
            shutil.copy2(archive, DIST / archive.name)
        os.utime(cached)  # the newest use: kept longest
    return True


def _to_cache(key: str) -> None:
    """Keep this build under ``key`` (complete or not at all); only the newest CACHE_KEEP stay."""
    with exclusive("bundle-cache"):
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = CACHE / f".{key}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(DIST / "zorgcert", partial / "zorgcert", symlinks=True)
        for archive in DIST.glob("zorgcert-linux-*.tar.gz"):
            shutil.copy2(archive, partial / archive.name)
        (partial / "complete").write_text(key + "\n")
        shutil.rmtree(CACHE / key, ignore_errors=True)
        partial.rename(CACHE / key)
        kept = sorted((p for p in CACHE.iterdir() if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime)
        for old in kept[:-CACHE_KEEP]:
            shutil.rmtree(old, ignore_errors=True)


@pytest.fixture(scope="module")
def bundle() -> Path:
    want = source_hash()
    with exclusive(f"bundle-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]}"):  # one build of this dist/
        if not (BUNDLE.exists() and STAMP.exists() and STAMP.read_text().strip() == want):
            key = toolchain_hash(want)
            if _from_cache(key):
                print(f"bundle copied from {CACHE / key}")
            else:
                started = time.monotonic()
                build = subprocess.run([str(ROOT / "scripts" / "build-linux")], capture_output=True, text=True,
                                       timeout=900)
                assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-4000:]
                print(f"bundle built in {time.monotonic() - started:.0f} s")
                _to_cache(key)
            STAMP.write_text(want + "\n")
    return BUNDLE


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A user with nothing set up; no venv on PATH, no display, Qt offscreen."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("ZORGCERT_", "PYTHON", "VIRTUAL_ENV")) and k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    base["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    return {**base, "HOME": str(home), "ZORGCERT_HOME": str(home / "zorgcert"), "QT_QPA_PLATFORM": "offscreen",
            **extra}


def test_version_and_size(bundle: Path, tmp_path: Path) -> None:
    r = subprocess.run([str(bundle), "--version"], env=env(tmp_path), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"zorgcert {__version__}"
    (archive,) = DIST.glob("zorgcert-linux-*.tar.gz")
    assert archive.stat().st_size < MAX_COMPRESSED_MB * 1_000_000, f"{archive.stat().st_size / 1e6:.1f} MB"
    for part in ("share/zorgcert.desktop", "share/zorgcert-agent-autostart.desktop", "share/zorgcert.svg",
                 "install-user.sh"):
        assert (bundle.parent / part).is_file(), part


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> RunningIssuer:
    running = start_issuer(tmp_path_factory.mktemp("issuer") / "data")
    yield running  # type: ignore[misc]
    running.stop()


def test_doctor_against_a_real_issuer(bundle: Path, tmp_path: Path, issuer: RunningIssuer,
                                     secret_service: dict[str, str]) -> None:  # the keyring check passes too
    r = subprocess.run([str(bundle), "doctor", "--json"], capture_output=True, text=True, timeout=120,
                       env=env(tmp_path, ZORGCERT_ISSUER_URL=issuer.url, ZORGCERT_ISSUER_CA=issuer.ca))
    result = json.loads(r.stdout)
    by_check = {c["check"]: c for c in result["checks"]}
    # TLS with the pinned CA, requests and cryptography all work frozen: reachable and trusted
    assert any(c["result"] == "pass" and issuer.url in c["detail"] for c in result["checks"]), by_check
    assert not [c for c in result["checks"] if c["result"] == "fail"], by_check
    assert r.returncode == 0, r.stderr


def test_the_paper_form_is_made_by_the_frozen_program(bundle: Path, tmp_path: Path) -> None:
    """ReportLab and the core of Pillow are in the bundle (the spec leaves out their unused parts)."""
    out = tmp_path / "aanvraag.pdf"
    r = subprocess.run([str(bundle), "forms", "request", "--out", str(out), "--name", "Anna de Vries-Ünal",
                        "--json"], env=env(tmp_path), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, timeout=30).stdout
        assert "Aanvraagformulier certificaat" in text and "Anna de Vries-Ünal" in text


def test_doctor_explains_a_missing_issuer_in_dutch(bundle: Path, tmp_path: Path) -> None:
    r = subprocess.run([str(bundle), "doctor", "--json"], env=env(tmp_path), capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 1
    failed = [c for c in json.loads(r.stdout)["checks"] if c["result"] == "fail"]
    assert failed and "zorgcert config set issuer-url" in failed[0]["next"]


def test_demo_runs_its_issuer_from_the_bundle(bundle: Path, tmp_path: Path) -> None:
    proc = subprocess.Popen([str(bundle), "demo", "--short", "--no-gui", "--folder", str(tmp_path / "demo"),
                             "--json"], env=env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        facts = json.loads(proc.stdout.readline())
        assert len(facts["user_number"]) == 14 and Path(facts["letter"]).is_file()
        assert facts["install_command"].startswith("ZORGCERT_HOME=")
        assert str(bundle) in facts["install_command"]  # the frozen program, not a Python
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
        assert not _running(facts["issuer_pid"])
    finally:
        if proc.poll() is None:
            proc.kill()


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_qt_loads_in_the_bundle(bundle: Path, tmp_path: Path) -> None:
    helptext = subprocess.run([str(bundle), "--help"], env=env(tmp_path), capture_output=True, text=True,
                              timeout=60).stdout
    assert re.search(r"^ +gui +\S", helptext, re.M), helptext  # the frozen CLI lists the gui command
    proc = subprocess.Popen([str(bundle), "gui"], env=env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(6)  # long enough to load Qt, its platform plugin and the SVG icons, and open the window
    alive = proc.poll() is None
    proc.terminate()
    _, err = proc.communicate(timeout=30)
    assert alive, err[-3000:]
    assert "Could not load the Qt platform plugin" not in err and "Traceback" not in err, err[-3000:]
