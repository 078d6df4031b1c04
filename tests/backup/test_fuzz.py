"""Fuzzing the reader: over 10,000 hostile inputs it raises nothing but the format's own errors.

Each input stays cheap: mutations of a backup sealed with the tests' tiny KDF, random
bytes, and forged headers (with a correct checksum) whose KDF parameters are either tiny
or refused before any work. A header the checksum rejects never reaches Argon2id.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backup import envelope
from backup.envelope import BackupFormatError
from backup.payload import Contents
from tests.backup.samples import PASSPHRASE, forge, sample, split

EXAMPLES = 10_000


def _mutate(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    """Apply (kind, position, value) edits: 0 replace a byte, 1 insert a byte, 2 delete a byte, 3 cut here."""
    out = bytearray(data)
    for kind, pos, value in edits:
        if not out:
            break
        i = pos % len(out)
        if kind == 0:
            out[i] = value
        elif kind == 1:
            out.insert(i, value)
        elif kind == 2:
            del out[i]
        else:
            del out[i:]
    return bytes(out)


edits = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1 << 16), st.integers(0, 255)), min_size=1, max_size=4)

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
                      st.text(max_size=20))
json_value = st.one_of(json_leaf, st.lists(json_leaf, max_size=3), st.dictionaries(st.text(max_size=6), json_leaf,
                                                                                   max_size=3))
tiny_or_refused = st.one_of(st.integers(-2, 64), st.sampled_from([2**20, 2**31, 2**63, 10**30]), json_leaf)


@st.composite
def forged_headers(draw: Any) -> bytes:
    """A header that passes the checksum, with each part of it possibly replaced by junk."""
    data, _, _ = sample()
    _, header, body = split(data)
    header = json.loads(json.dumps(header))
    for name in ("memory_kib", "iterations", "lanes"):
        if draw(st.booleans()):
            header["kdf"][name] = draw(tiny_or_refused)
    for path in (("kdf", "salt"), ("kdf", "name"), ("cipher", "nonce"), ("cipher", "name"), ("check",),
                 ("length",), ("metadata",), ("metadata", "user_number")):
        if draw(st.integers(0, 7)) == 0:
            target = header
            for part in path[:-1]:
                target = target[part] if isinstance(target.get(part), dict) else {}
            target[path[-1]] = draw(json_value)
    if draw(st.integers(0, 9)) == 0:
        header = draw(json_value)
    body = _mutate(body, draw(edits)) if draw(st.booleans()) else body
    return forge(header, body, version=draw(st.sampled_from([0, 1, 1, 1, 2, 65535])))


STRATEGIES = {
    "random bytes": st.binary(max_size=600),
    "magic then random": st.binary(max_size=300).map(lambda tail: envelope.MAGIC + b"\x00\x01" + tail),
    "edited backup": edits.map(lambda e: _mutate(sample()[0], e)),
    "forged header": forged_headers(),
}


def _check(data: bytes) -> None:
    _original, payload, _ = sample()
    try:
        envelope.read_header(data)
        opened, _meta = envelope.open_(data, PASSPHRASE)
    except BackupFormatError:
        return
    # it opened: then it must be the real thing (an edit that changed nothing, e.g. a byte written over itself)
    assert opened == payload
    assert Contents.decode(opened).cert_der


def _fuzz(strategy: Any) -> None:
    @settings(max_examples=EXAMPLES // len(STRATEGIES), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(strategy)
    def run(data: bytes) -> None:
        _check(data)

    run()


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_reader_raises_only_its_own_errors(name: str) -> None:
    """EXAMPLES inputs in all, shared out over the kinds of input."""
    _fuzz(STRATEGIES[name])
