"""The EST CSR-attributes codec shared by issuer (writer) and app (reader)."""

import subprocess
from pathlib import Path

import pytest

from app.enroll import csrattrs


def _openssl(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *args], capture_output=True, check=False)


@pytest.mark.parametrize("bits", [2048, 3072, 4096])
def test_csrattrs_round_trip(bits: int, tmp_path: Path) -> None:
    der = csrattrs.csrattrs_der(rsa_bits=bits)
    assert csrattrs.parse_csrattrs(der) == ("1.2.840.113549.1.1.1", bits)
    (tmp_path / "attrs.der").write_bytes(der)
    parsed = _openssl("asn1parse", "-inform", "DER", "-in", str(tmp_path / "attrs.der"))
    assert parsed.returncode == 0, parsed.stderr
    assert b"sha256WithRSAEncryption" in parsed.stdout and b":rsaEncryption" in parsed.stdout
    assert f"INTEGER           :{bits:04X}".encode() in parsed.stdout


def test_csrattrs_default_is_3072() -> None:
    assert csrattrs.csrattrs_der() == csrattrs.csrattrs_der(rsa_bits=3072)
    assert csrattrs.csrattrs_der().hex() == (
        "301e06092a864886f70d01010b301106092a864886f70d010101310402020c00"
    )


def test_der_writer_lengths_and_oid_arcs() -> None:
    assert csrattrs._oid("1.2.840.113549.1.1.11") == bytes.fromhex("06092a864886f70d01010b")
    assert csrattrs._oid("2.999.3") == bytes.fromhex("0603883703")
    assert csrattrs._decode_oid(csrattrs._oid("2.999.3")[2:]) == "2.999.3"
    assert csrattrs._tlv(0x04, b"x" * 127)[:2] == bytes.fromhex("047f")
    assert csrattrs._tlv(0x04, b"x" * 200)[:3] == bytes.fromhex("0481c8")
    assert csrattrs._tlv(0x04, b"x" * 300)[:4] == bytes.fromhex("0482012c")
    assert csrattrs._uint(128) == b"\x00\x80" and csrattrs._uint(0) == b"\x00"
    assert csrattrs._read_tlv(csrattrs._tlv(0x04, b"y" * 300), 0) == (0x04, b"y" * 300, 304)
    assert csrattrs.parse_csrattrs(csrattrs._tlv(0x30, csrattrs._oid("1.2.840.113549.1.1.11"))) == (
        None,
        None,
    )


@pytest.mark.parametrize(
    "der",
    [
        b"",
        bytes.fromhex("3005"),  # truncated
        csrattrs.csrattrs_der() + b"\x00",  # trailing bytes
        bytes.fromhex("3103020101"),  # SET, not SEQUENCE
        bytes.fromhex("3003020101"),  # INTEGER is not an AttrOrOID
        bytes.fromhex("3010300e06092a864886f70d010101310000"),  # junk after the SET
        bytes.fromhex("3080"),  # indefinite length
        bytes.fromhex("300406028001"),  # OID arc with a leading padding byte
    ],
)
def test_parse_csrattrs_rejects_malformed(der: bytes) -> None:
    with pytest.raises(ValueError):
        csrattrs.parse_csrattrs(der)
