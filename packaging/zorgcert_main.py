"""The frozen bundle's one entry point: ``zorgcert`` with every subcommand, plus the reference issuer.

``zorgcert issuer ...`` is ``zorgcert-issuer ...``: the bundle carries the issuer so that
``zorgcert demo`` can start a local one (``app.demo.localissuer`` runs it this way when frozen).
"""

from __future__ import annotations

import sys


def main() -> int:
    """Dispatch on the first argument."""
    if len(sys.argv) > 1 and sys.argv[1] == "issuer":
        from issuer.cli import main as issuer_main

        return int(issuer_main(sys.argv[2:]) or 0)
    from app.commands.cli import main as zorgcert_main

    return int(zorgcert_main(sys.argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
