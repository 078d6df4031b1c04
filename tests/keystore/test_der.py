"""The one DER reader (``keystore.der``) and its callers, on good input and on hostile input.

Hostile means: truncated anywhere, indefinite lengths, lengths of more than four octets or
running past the end, high tag numbers, deep nesting, and plain random bytes. The reader
must refuse those with ``DerError`` (a ``ValueError``) and nothing else, and its callers must
answer as documented: ``pfx_shape_ok`` False, ``key_id`` None, ``parse_csrattrs`` ValueError.
"""

from __future__ import annotations

import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.enroll import csrattrs
from keystore import der
from keystore.nss import key_id
from tests.keystore.identities import make_identity

DER = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PFX = make_identity().pfx
CERT = make_identity().cert_der


def encode(tag: int, content: bytes, *, length_octets: int | None = None) -> bytes:
    """An element with ``content``; ``length_octets`` forces the long form with that many octets."""
    n = len(content)
    if length_octets is None:
        if n < 0x80:
            return bytes([tag, n]) + content
        length_octets = (n.bit_length() + 7) // 8
    return bytes([tag, 0x80 | length_octets]) + n.to_bytes(length_octets, "big") + content


tags = st.integers(0, 255).filter(lambda t: t & 0x1F != 0x1F)
contents = st.binary(max_size=600)


@st.composite
def elements(draw: st.DrawFn) -> tuple[int, bytes, bytes]:
    tag, content = draw(tags), draw(contents)
    needed = max(1, (len(content).bit_length() + 7) // 8)
    form = draw(st.sampled_from([None, *range(needed, der.MAX_LENGTH_OCTETS + 1)]))
    return tag, content, encode(tag, content, length_octets=form)


# --- the reader ---------------------------------------------------------------------------------


@DER
@given(elements())
def test_reads_back_what_was_encoded_in_short_and_long_form(element: tuple[int, bytes, bytes]) -> None:
    tag, content, encoded = element
    assert der.read_tlv(encoded) == (tag, content, len(encoded))
    assert der.read_one(encoded, tag) == content
    assert der.read_tlv(b"junk" + encoded, 4) == (tag, content, len(encoded) + 4)


@DER
@given(st.lists(elements(), max_size=8))
def test_children_fill_their_container(parts: list[tuple[int, bytes, bytes]]) -> None:
    inside = b"".join(encoded for _, _, encoded in parts)
    assert der.children(inside) == [(tag, content) for tag, content, _ in parts]
    assert der.children(der.read_one(encode(der.SEQUENCE, inside), der.SEQUENCE)) == der.children(inside)


@DER
@given(elements(), st.data())
def test_every_truncation_is_refused(element: tuple[int, bytes, bytes], data: st.DataObject) -> None:
    _, _, encoded = element
    cut = data.draw(st.integers(0, len(encoded) - 1))
    with pytest.raises(der.DerError):
        der.read_one(encoded[:cut])


@DER
@given(st.binary(max_size=64))
def test_random_bytes_are_read_or_refused_with_der_error_only(blob: bytes) -> None:
    try:
        tag, content, end = der.read_tlv(blob)
    except der.DerError:
        return
    assert end <= len(blob) and blob.endswith(content, 0, end) and tag & 0x1F != 0x1F


def test_indefinite_length_is_refused() -> None:
    with pytest.raises(der.DerError, match="indefinite"):
        der.read_tlv(bytes.fromhex("3080020103300100" + "0000"))


@pytest.mark.parametrize("octets", [5, 8, 126, 127])
def test_lengths_of_more_than_four_octets_are_refused(octets: int) -> None:
    blob = bytes([der.SEQUENCE, 0x80 | octets]) + (1).to_bytes(octets, "big") + b"\x00"
    with pytest.raises(der.DerError, match="octets"):
        der.read_tlv(blob)


@pytest.mark.parametrize("claimed", [1, 0x7F, 0xFFFF, 0xFFFFFFFF])
def test_a_length_running_past_the_end_is_refused(claimed: int) -> None:
    blob = encode(der.SEQUENCE, b"x" * claimed)[:-1] if claimed < 0x10000 else (
        bytes([der.SEQUENCE, 0x84]) + claimed.to_bytes(4, "big") + b"short")
    with pytest.raises(der.DerError, match="past the end"):
        der.read_tlv(blob)


def test_a_child_may_not_run_past_its_container() -> None:
    inner = encode(der.INTEGER, b"\x01\x02\x03")
    outer = bytes([der.SEQUENCE, 2]) + inner  # the SEQUENCE claims 2 octets; the INTEGER inside wants 5
    _, content, _ = der.read_tlv(outer)
    with pytest.raises(der.DerError):
        der.children(content)


def test_high_tag_numbers_and_trailing_bytes_are_refused() -> None:
    with pytest.raises(der.DerError, match="high tag"):
        der.read_tlv(bytes.fromhex("1f8101" + "00"))
    with pytest.raises(der.DerError, match="after"):
        der.read_one(encode(der.SEQUENCE, b"") + b"\x00")
    with pytest.raises(der.DerError, match="expected"):
        der.read_one(encode(der.SET, b""), der.SEQUENCE)


def test_deep_nesting_is_read_one_level_at_a_time_without_recursion() -> None:
    depth = 3000  # far beyond Python's default recursion limit of 1000
    blob = encode(der.INTEGER, b"\x2a")
    for _ in range(depth):
        blob = encode(der.SEQUENCE, blob)
    level = 0
    tag, content, _ = der.read_tlv(blob)
    while tag == der.SEQUENCE:
        (tag, content), = der.children(content)
        level += 1
    assert (level, tag, content) == (depth, der.INTEGER, b"\x2a")
    assert not der.pfx_shape_ok(blob) and key_id(blob) is None
    with pytest.raises(ValueError):
        csrattrs.parse_csrattrs(blob)


@pytest.mark.parametrize(("body", "dotted"), [
    ("2a864886f70d010101", "1.2.840.113549.1.1.1"),
    ("2a8648ce3d0201", "1.2.840.10045.2.1"),
    ("883703", "2.999.3"),
])
def test_object_identifiers(body: str, dotted: str) -> None:
    assert der.decode_oid(bytes.fromhex(body)) == dotted


@pytest.mark.parametrize("body", ["", "2a86", "0680802a"])
def test_malformed_object_identifiers_are_refused(body: str) -> None:
    with pytest.raises(der.DerError):
        der.decode_oid(bytes.fromhex(body))


# --- the callers ----------------------------------------------------------------------------------


def test_pfx_shape() -> None:
    pfx = make_identity().pfx
    assert der.pfx_shape_ok(pfx)
    assert der.pfx_shape_ok(bytes.fromhex("3006020103300100"))
    assert der.pfx_shape_ok(bytes.fromhex("308106020103300100"))  # long form, not minimal
    assert der.pfx_shape_ok(bytes.fromhex("3080020103300100"))  # BER indefinite outside: let through
    assert not der.pfx_shape_ok(bytes.fromhex("3007020103300100"))  # one byte missing
    assert not der.pfx_shape_ok(bytes.fromhex("3006020102300100"))  # version 2
    assert not der.pfx_shape_ok(bytes.fromhex("3185060201033001"))  # a SET, and a 5-octet length
    assert not der.pfx_shape_ok(b"\x30\x80")
    assert not der.pfx_shape_ok(pfx + b"\x00") and not der.pfx_shape_ok(b"GIF89a not a pfx")


@DER
@given(st.data())
def test_pfx_shape_never_raises_and_refuses_every_truncation(data: st.DataObject) -> None:
    pfx = PFX
    cut = data.draw(st.integers(0, len(pfx) - 1))
    assert not der.pfx_shape_ok(pfx[:cut])
    flipped = bytearray(pfx)
    spot = data.draw(st.integers(0, len(pfx) - 1))
    flipped[spot] ^= data.draw(st.integers(1, 255))
    der.pfx_shape_ok(bytes(flipped))  # no exception, whatever the answer



def _nss_id_from_cryptography(cert_der: bytes) -> bytes:
    key = x509.load_der_x509_certificate(cert_der).public_key()
    if isinstance(key, rsa.RSAPublicKey):
        n = key.public_numbers().n
        return hashlib.sha1(n.to_bytes((n.bit_length() + 7) // 8, "big")).digest()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    return hashlib.sha1(key.public_bytes(serialization.Encoding.X962,
                                         serialization.PublicFormat.UncompressedPoint)).digest()


@pytest.mark.parametrize("key_type", ["rsa", "ec"])
def test_nss_key_id_agrees_with_cryptography(key_type: str) -> None:
    cert_der = make_identity(key_type=key_type).cert_der
    assert key_id(cert_der) == _nss_id_from_cryptography(cert_der)


@DER
@given(st.data())
def test_nss_key_id_of_damaged_certificates_is_none_or_an_id(data: st.DataObject) -> None:
    cert_der = CERT
    cut = data.draw(st.integers(0, len(cert_der) - 1))
    assert key_id(cert_der[:cut]) is None
    damaged = bytearray(cert_der)
    damaged[data.draw(st.integers(0, len(cert_der) - 1))] ^= data.draw(st.integers(1, 255))
    found = key_id(bytes(damaged))
    assert found is None or len(found) == 20



@DER
@given(st.binary(max_size=80))
def test_csrattrs_on_random_bytes_is_read_or_a_value_error(blob: bytes) -> None:
    try:
        algorithm, bits = csrattrs.parse_csrattrs(blob)
    except ValueError:
        return
    assert algorithm is None or isinstance(algorithm, str)
    assert bits is None or bits >= 0
