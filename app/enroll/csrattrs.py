"""EST CSR attributes (RFC 7030 §4.5.2): which key and hash the issuer wants.

Shared by the issuer (writes them) and the app (reads them); a tiny DER writer for exactly
this structure, and ``keystore.der`` to read it back, standard library only.
"""

from __future__ import annotations

from keystore.der import decode_oid as _decode_oid
from keystore.der import read_tlv as _read_tlv

OID_RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
OID_SHA256_WITH_RSA = "1.2.840.113549.1.1.11"
OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
_KEY_ALGORITHMS = {OID_RSA_ENCRYPTION, OID_EC_PUBLIC_KEY, "1.3.101.112", "1.3.101.113"}


def csrattrs_der(*, rsa_bits: int = 3072) -> bytes:
    """DER of the EST CSR attributes (RFC 7030 §4.5.2) telling clients which key and hash to use."""
    if rsa_bits < 2048:
        raise ValueError("rsa_bits must be at least 2048")
    key_attribute = _tlv(0x30, _oid(OID_RSA_ENCRYPTION) + _tlv(0x31, _tlv(0x02, _uint(rsa_bits))))
    return _tlv(0x30, _oid(OID_SHA256_WITH_RSA) + key_attribute)


def parse_csrattrs(der: bytes) -> tuple[str | None, int | None]:
    """Read (key algorithm OID, RSA key size) back from csrattrs DER; used by the client and tests."""
    tag, body, end = _read_tlv(der, 0)
    if tag != 0x30 or end != len(der):
        raise ValueError("csrattrs must be exactly one SEQUENCE")
    algorithm, bits, pos = None, None, 0
    while pos < len(body):
        tag, value, pos = _read_tlv(body, pos)
        if tag == 0x06:
            if (oid := _decode_oid(value)) in _KEY_ALGORITHMS:
                algorithm = oid
        elif tag == 0x30:
            t, type_oid, p = _read_tlv(value, 0)
            s, values, p = _read_tlv(value, p)
            if t != 0x06 or s != 0x31 or p != len(value):
                raise ValueError("csrattrs attribute must be SEQUENCE { OID, SET }")
            oid = _decode_oid(type_oid)
            if oid in _KEY_ALGORITHMS:
                algorithm = oid
                if oid == OID_RSA_ENCRYPTION and values:
                    i, number, q = _read_tlv(values, 0)
                    if i != 0x02 or q != len(values) or not number or number[0] & 0x80:
                        raise ValueError("rsaEncryption attribute must hold one positive INTEGER")
                    bits = int.from_bytes(number, "big")
        else:
            raise ValueError(f"unexpected tag 0x{tag:02x} in csrattrs")
    return algorithm, bits


def _tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def _uint(value: int) -> bytes:
    # One extra bit keeps the sign bit clear, so e.g. 128 encodes as 00 80.
    return value.to_bytes(value.bit_length() // 8 + 1, "big")


def _oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        while arc := arc >> 7:
            chunk.append(0x80 | (arc & 0x7F))
        body += bytes(reversed(chunk))
    return _tlv(0x06, bytes(body))
