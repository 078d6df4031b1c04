"""The one DER reader: a few ASN.1 elements read with the standard library only, for where ``cryptography`` cannot.

Where ``cryptography``'s public API answers the question (load a certificate, a key, a
PKCS#12), the callers use it. This reader is for the questions it does not answer, or where
it cannot be loaded:

- ``pfx_shape_ok``: is a PKCS#12 that would not open damaged, or was its password wrong?
  ``cryptography`` raises the same ``ValueError`` for both; the Windows backend runs in a
  Windows CPython under Wine where ``cryptography`` does not load at all;
- ``keystore.nss.key_id``: the CKA_ID NSS gives a certificate, without ``cryptography``, so
  that importing ``keystore.nss`` stays cheap;
- ``app.enroll.csrattrs``: the EST CSR attributes, a structure ``cryptography`` has no reader for.

What it reads: one identifier octet (tag numbers up to 30), definite lengths in the short or
the long form with up to four length octets (a long form that is not minimal is read, as BER
allows). It refuses with ``DerError`` (a ``ValueError``): truncated input, indefinite lengths,
more than four length octets, high tag numbers, and an element that runs past the end of what
holds it. It never recurses: a caller descends one level at a time, so deep nesting costs it
nothing but the levels the caller asks for.
"""

from __future__ import annotations

SEQUENCE = 0x30
SET = 0x31
INTEGER = 0x02
BIT_STRING = 0x03
OBJECT_IDENTIFIER = 0x06
CONTEXT_0 = 0xA0  # [0] EXPLICIT, e.g. a certificate's version

MAX_LENGTH_OCTETS = 4  # up to 4 GiB: far more than any certificate, PKCS#12 or CSR attributes
PFX_VERSION_3 = bytes((INTEGER, 1, 3))


class DerError(ValueError):
    """The bytes are not the DER this reader takes (see the module docstring)."""


def read_tlv(data: bytes, pos: int = 0) -> tuple[int, bytes, int]:
    """(tag, content, position after the element) of the element that starts at ``pos``."""
    if pos < 0 or pos + 2 > len(data):
        raise DerError("truncated DER: no room for a tag and a length")
    tag, first = data[pos], data[pos + 1]
    if tag & 0x1F == 0x1F:
        raise DerError("high tag numbers are not read")
    pos += 2
    length = first
    if first & 0x80:
        count = first & 0x7F
        if count == 0:
            raise DerError("indefinite length (BER, not DER)")
        if count > MAX_LENGTH_OCTETS:
            raise DerError(f"a length of {count} octets")
        if pos + count > len(data):
            raise DerError("truncated DER length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise DerError("DER value runs past the end")
    return tag, bytes(data[pos:pos + length]), pos + length


def read_one(data: bytes, tag: int | None = None) -> bytes:
    """The content of the single element that ``data`` is exactly (of this ``tag``, when given)."""
    found, content, end = read_tlv(data)
    if end != len(data):
        raise DerError("bytes after the element")
    if tag is not None and found != tag:
        raise DerError(f"tag 0x{found:02x} where 0x{tag:02x} was expected")
    return content


def children(content: bytes) -> list[tuple[int, bytes]]:
    """(tag, content) of each element that fills ``content`` (the inside of a SEQUENCE or SET)."""
    found, pos = [], 0
    while pos < len(content):
        tag, value, pos = read_tlv(content, pos)
        found.append((tag, value))
    return found


def decode_oid(body: bytes) -> str:
    """The dotted form of an OBJECT IDENTIFIER's content octets."""
    if not body or body[-1] & 0x80:
        raise DerError("malformed OBJECT IDENTIFIER")
    arcs, arc = [], 0
    for byte in body:
        if arc == 0 and byte == 0x80:
            raise DerError("non-minimal OBJECT IDENTIFIER arc")
        arc = (arc << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(arc)
            arc = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]])


def pfx_shape_ok(blob: bytes) -> bool:
    """Whether ``blob`` is shaped like a PKCS#12 (PFX): one SEQUENCE spanning it all, starting with version 3.

    Tells damaged data from a wrong password when a PKCS#12 does not open. A BER indefinite
    length on the outside is let through: its end cannot be judged here. Never raises.
    """
    if len(blob) < 8 or blob[0] != SEQUENCE:
        return False
    if blob[1] == 0x80:
        return blob[2:5] == PFX_VERSION_3
    try:
        content = read_one(blob, SEQUENCE)
    except DerError:
        return False
    return content[:3] == PFX_VERSION_3
