"""Run by the Windows Python under Wine (scripts/build-windows): every dependency the installed packages declare
for Windows is installed too.

pip installed packaging/windows/requirements.txt with --no-deps (pip on Linux would evaluate the markers for
Linux), so a Windows-only dependency missing from that list shows up here, with the markers evaluated on
Windows. Prints ``ok`` or one line per missing or unfitting requirement (exit 1).
"""

import importlib.metadata as md
import sys

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def main() -> int:
    """Check every installed distribution's requirements against what is installed."""
    have = {canonicalize_name(d.metadata["Name"]): d.version for d in md.distributions()}
    bad = []
    for dist in md.distributions():
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            name = canonicalize_name(req.name)
            if name not in have or not req.specifier.contains(have[name], prereleases=True):
                bad.append(f"{dist.metadata['Name']} needs {spec} (installed: {have.get(name)})")
    print("\n".join(bad) or "ok")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
