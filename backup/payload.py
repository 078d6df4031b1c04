"""What a backup encrypts: the private key, the certificate, its chain and the wallet's facts about it.

Encoded as UTF-8 JSON (``{"format": 1, "key": b64, "cert": b64, "chain": [b64...], "entry": {...}}``)
inside the envelope; see docs/backup-format.md.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from backup.envelope import ContentsDamaged

FORMAT = 1


@dataclass(frozen=True, repr=False)
class Contents:
    """Key (PKCS#8 DER), certificate (DER), chain (DER, issuing CA first) and facts for the wallet."""

    key_der: bytes
    cert_der: bytes
    chain_der: tuple[bytes, ...]
    entry: dict[str, Any] = field(default_factory=dict)  # kind, name, organisation, issuer_url, policy

    def __repr__(self) -> str:  # never the key
        return f"Contents(cert={len(self.cert_der)} bytes, chain={len(self.chain_der)})"

    def encode(self) -> bytes:
        """The payload bytes for ``envelope.seal``."""

        def b64(raw: bytes) -> str:
            return base64.b64encode(raw).decode()

        doc = {
            "format": FORMAT,
            "key": b64(self.key_der),
            "cert": b64(self.cert_der),
            "chain": [b64(c) for c in self.chain_der],
            "entry": self.entry,
        }
        return json.dumps(doc, sort_keys=True).encode("utf-8")

    @classmethod
    def decode(cls, payload: bytes) -> Contents:
        """Read what ``encode`` wrote; ``ContentsDamaged`` for anything else."""
        try:
            doc = json.loads(payload.decode("utf-8"))
            if not isinstance(doc, dict) or doc.get("format") != FORMAT:
                raise ValueError("unknown payload format")
            chain = doc.get("chain", [])
            entry = doc.get("entry", {})
            if not isinstance(chain, list) or not isinstance(entry, dict):
                raise ValueError("chain or entry malformed")
            return cls(
                base64.b64decode(doc["key"], validate=True),
                base64.b64decode(doc["cert"], validate=True),
                tuple(base64.b64decode(c, validate=True) for c in chain),
                entry,
            )
        except (ValueError, KeyError, TypeError, binascii.Error, RecursionError):
            raise ContentsDamaged("the decrypted contents are not a ZorgCert key and certificate") from None
