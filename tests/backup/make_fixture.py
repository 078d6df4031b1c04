"""Write the format fixture of the current version once: ``python -m tests.backup.make_fixture``.

Fixtures are kept forever (tests/backup/fixtures/v<N>-*.zcbackup): every later ZorgCert
must still open them. This script never overwrites one; it only adds the missing ones.
The key inside is a throwaway test key under a throwaway test CA.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from backup import envelope
from backup.kdf import KdfParams
from tests.backup.samples import contents, metadata
from tests.keystore.identities import make_identity

FOLDER = Path(__file__).parent / "fixtures"
PASSPHRASE = "fixture-v1: zeilboot paraplu kroket venster"  # the tests open the fixture with this
REAL_COST = KdfParams(memory_kib=64 * 1024, iterations=3, lanes=4)  # a real writer's cost, so the test is real


def main() -> int:
    FOLDER.mkdir(exist_ok=True)
    target = FOLDER / f"v{envelope.VERSION}-argon2id.zcbackup"
    if target.exists():
        print(f"{target} exists; fixtures are never rewritten")
        return 0
    ident = make_identity(days=36500)  # a fixture outlives every test run
    payload = contents(ident).encode()
    data = envelope.seal(payload, metadata(ident), PASSPHRASE, REAL_COST)
    target.write_bytes(data)
    # what the test expects to find inside, written beside it (all public)
    expect = {"metadata": metadata(ident).as_json(), "fingerprint": ident.fingerprint}
    target.with_suffix(".json").write_text(json.dumps(expect, indent=2) + "\n")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
