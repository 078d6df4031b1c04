"""The contact person's desk (issue 16): user management, the message box and the paper forms, Qt-free.

The few names the command line's parser needs live here, so ``zorgcert status`` (which builds the
whole parser) does not load the rules' module (docs/performance.md).
"""

KINDS = ("personal", "system")
REVOKE_REASONS = ("key-compromise", "affiliation-changed", "superseded", "cessation")
"""The reasons a contact person may give (the issuer's list; ``practice.reason.*`` says them). Never a default."""
USER_STATES = ("requested", "approved", "installed", "renewal-open", "expired", "blocked", "revoked", "rejected",
               "lapsed")
"""``app.practice.users.UserState``'s values (``practice.state.*``)."""
FORMS = ("request", "zorginkoopportaal")
