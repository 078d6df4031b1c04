"""What ``install`` checks on this machine before a PIN is asked for or sent (issue 12 point 11).

A mistyped user number and a certificate that is installed here and still valid are said
at once, in the CLI before the PIN prompt, in the app as the number is typed, and again at
the start of ``ZorgCert.install``: no PIN attempt is spent on what the issuer would refuse.
Light: the wallet, the policy and a look at the stores (as ``zorgcert status``).
"""

from __future__ import annotations

from datetime import datetime

from app import policy
from app.clock import SystemClock
from app.errors import AlreadyInstalled, InvalidUserNumber, UserNumberTypo
from app.lifecycle.status import rows
from app.state.paths import Paths
from app.state.wallet import Wallet


def user_number(text: str) -> str:
    """The user number reduced to its 14 digits; a wrong length or a wrong check digit each said as such."""
    number = policy.normalise_user_number(text)
    if policy.is_valid_user_number(number):
        return number
    if len(number) == policy.USER_NUMBER_DIGITS and number.isascii() and number.isdigit() and number[0] != "0":
        raise UserNumberTypo("check digit does not match", value=text)
    raise InvalidUserNumber("bad user number", value=text)


def before_pin(paths: Paths, text: str, now: datetime | None = None) -> str:
    """The normalised user number, or a refusal made here: a typo, or installed here and still valid (R4, R7)."""
    number = user_number(text)
    if not paths.wallet_file.exists():
        return number
    if now is None:
        now = SystemClock().now()
    try:
        wallet = Wallet(paths.wallet_file)
    except (OSError, ValueError):  # a damaged wallet is install's to deal with, not a reason to refuse
        return number
    if wallet.get(number) is None:
        return number
    for row in rows(paths, now, wallet):
        if row.user_number != number or row.state not in ("valid", "renewal-open"):
            continue  # expired (R6) and lost (R7: Support may have revoked it) are for the issuer to judge
        raise AlreadyInstalled("installed here and still valid", renewal_open=row.state == "renewal-open",
                               user_number=number, valid_until=row.valid_until, opens_at=row.renewal_opens)
    return number
