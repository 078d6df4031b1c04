"""Size of the PyInstaller bundle: the folder, the tar.gz users download, and what takes the room.

Builds with scripts/build-linux first (``--no-build`` measures what is in dist/). Target
(project issue 6): under 60 MB compressed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, header, verdict

DIST = ROOT / "dist"
TARGET_MB = 60.0


def _group(path: Path, base: Path) -> str:
    parts = path.relative_to(base).parts
    if parts[0] == "zorgcert":
        return "zorgcert (program + Python modules)"
    if parts[0] == "_internal" and len(parts) > 2:
        if parts[1] == "PySide6":
            if "icu" in parts[-1]:
                return "ICU (Unicode data Qt links to)"
            if parts[2] == "Qt" and len(parts) > 4:
                return {"lib": "Qt libraries", "plugins": "Qt plugins"}.get(parts[3], f"Qt {parts[3]}")
            return "PySide6 bindings"
        return parts[1]
    return "other libraries" if parts[-1].startswith("lib") else "other"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-build", action="store_true", help="measure dist/ as it is")
    args = parser.parse_args(argv)
    build_s = None
    if not args.no_build:
        started = time.monotonic()
        subprocess.run([str(ROOT / "scripts" / "build-linux")], check=True)
        build_s = time.monotonic() - started
    folder = DIST / "zorgcert"
    (archive,) = DIST.glob("zorgcert-linux-*.tar.gz")
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    sizes: Counter[str] = Counter()
    for path in files:
        sizes[_group(path, folder)] += path.stat().st_size
    total, packed = sum(sizes.values()), archive.stat().st_size

    header("PyInstaller bundle (Linux)")
    if build_s is not None:
        print(f"build time (scripts/build-linux): {build_s:.0f} s")
    print(f"folder dist/zorgcert: {total / 1e6:.1f} MB in {len(files)} files")
    print(f"{archive.relative_to(ROOT)}: {packed / 1e6:.1f} MB")
    print("largest parts (uncompressed):")
    for name, size in sizes.most_common(10):
        print(f"  {size / 1e6:6.1f} MB  {name}")
    print(f"target compressed < {TARGET_MB:.0f} MB: {verdict(packed < TARGET_MB * 1e6)}")
    return 0 if packed < TARGET_MB * 1e6 else 1


if __name__ == "__main__":
    sys.exit(main())
