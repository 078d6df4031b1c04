"""Helping Support: `zorgcert doctor`'s checks and the support file."""
