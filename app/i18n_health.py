"""Sentences of the bad day (issue 12): a silent issuer, a full disk, a corrupt NSS database,
``doctor``'s certificate and keyring checks, ``config show`` sources. Registered by ``app.i18n``."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # --- config ---
    "cli.config_unset": {
        "nl": "{setting} staat niet meer in het configuratiebestand.",
        "en": "{setting} is no longer in the config file.",
    },
    "config.source.environment": {
        "nl": "uit de omgevingsvariabele {where}",
        "en": "from the environment variable {where}",
    },
    "config.source.config-file": {"nl": "uit het configuratiebestand {where}", "en": "from the config file {where}"},
    "config.source.shipped-default": {"nl": "meegeleverd met ZorgCert", "en": "shipped with ZorgCert"},
    "config.source.unset": {"nl": "niet ingesteld", "en": "not set"},
    # --- a silent issuer ---
    "error.issuer_timeout": {
        "nl": "De uitgever gaf geen antwoord binnen {seconds} seconden. De verbinding kwam wel tot stand, dus het "
        "ligt niet aan uw internetverbinding.",
        "en": "The issuer did not answer within {seconds} seconds. The connection was made, so it is not your "
        "internet connection.",
    },
    "error.issuer_timeout.next": {
        "nl": "Probeer het over een paar minuten opnieuw; blijft het stil, bel dan Support. Was uw pincode al "
        "verstuurd, dan vraagt ZorgCert de uitgever de volgende keer wat er is uitgegeven: er gaat geen "
        "certificaat verloren.",
        "en": "Try again in a few minutes; if it stays silent, call Support. If your PIN was already sent, "
        "ZorgCert asks the issuer next time what was issued: no certificate is lost.",
    },
}
