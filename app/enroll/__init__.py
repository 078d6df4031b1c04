"""Talking to the issuer: the pinned EST client, the one pin-chain check, keys and requests made on this
machine, and the EST CSR attributes (shared with the issuer)."""
