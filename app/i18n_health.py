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
    # --- a full disk, a corrupt NSS database ---
    "error.disk_full": {
        "nl": "Er is te weinig vrije ruimte in {folder} ({free_mb} MB vrij, {needed_mb} MB nodig). ZorgCert heeft "
        "niets naar de uitgever gestuurd: uw pincode is niet gebruikt.",
        "en": "There is too little free space in {folder} ({free_mb} MB free, {needed_mb} MB needed). ZorgCert sent "
        "nothing to the issuer: your PIN was not used.",
    },
    "error.disk_full.next": {
        "nl": "Maak ruimte vrij op die schijf (verwijder of verplaats bestanden) en probeer het dan opnieuw.",
        "en": "Make room on that disk (delete or move files), then try again.",
    },
    "error.disk_full_after_issue": {
        "nl": "De schijf met {folder} raakte vol terwijl ZorgCert het certificaat installeerde. Het certificaat "
        "is niet verloren: ZorgCert heeft het bewaard of vraagt het de volgende keer op bij de uitgever.",
        "en": "The disk holding {folder} filled up while ZorgCert was installing the certificate. The certificate "
        "is not lost: ZorgCert kept it or asks the issuer for it next time.",
    },
    "error.disk_full_after_issue.next": {
        "nl": "Maak ruimte vrij op die schijf en start dan zorgcert status (of open ZorgCert): dan wordt de "
        "installatie afgemaakt. Voer uw pincode niet opnieuw in.",
        "en": "Make room on that disk, then run zorgcert status (or open ZorgCert): the installation is then "
        "finished. Do not enter your PIN again.",
    },
    "error.nss_corrupt": {
        "nl": "De certificaatdatabase in {folder} is beschadigd en kan niet worden geopend ({details}).",
        "en": "The certificate database in {folder} is damaged and cannot be opened ({details}).",
    },
    "error.nss_corrupt.next": {
        "nl": "Sluit Chromium en Firefox, zet de map opzij (mv {folder} {folder}.beschadigd) en start zorgcert "
        "status of de installatie opnieuw: ZorgCert maakt dan een nieuwe, lege database. Stond er een "
        "certificaat van ZorgCert in, zet dan uw back-up terug (zorgcert restore BESTAND).",
        "en": "Close Chromium and Firefox, move the folder aside (mv {folder} {folder}.damaged) and run zorgcert "
        "status or the installation again: ZorgCert then creates a new, empty database. If it held a ZorgCert "
        "certificate, restore your backup (zorgcert restore FILE).",
    },
    # --- the log ---
    "log.unwritable": {
        "nl": "Let op: ZorgCert kan niet in zijn logboek {path} schrijven ({reason}); het werk gaat door zonder "
        "logboek. Maak ruimte vrij op die schijf.",
        "en": "Note: ZorgCert cannot write its log {path} ({reason}); it carries on without a log. Make room on "
        "that disk.",
    },
    # --- doctor: keyring, room, each certificate, interrupted work ---
    "doctor.keyring": {"nl": "Sleutelbos (sleutel van de kluis leesbaar)", "en": "Keyring (vault key readable)"},
    "doctor.keyring.ok": {"nl": "de sleutel van de kluis is leesbaar", "en": "the vault key is readable"},
    "doctor.keyring.empty": {
        "nl": "bereikbaar; de sleutel van de kluis wordt bij de eerste installatie gemaakt",
        "en": "reachable; the vault key is made at the first install",
    },
    "doctor.keyring.slow": {
        "nl": "de sleutelbos gaf binnen {seconds} seconden geen antwoord (vergrendeld?)",
        "en": "the keyring did not answer within {seconds} seconds (locked?)",
    },
    "doctor.keyring.missing": {
        "nl": "de sleutel van de kluis staat niet in deze sleutelbos, terwijl de kluis sleutels bevat",
        "en": "the vault key is not in this keyring, although the vault holds keys",
    },
    "doctor.keyring.missing.next": {
        "nl": "Log in met de sleutelbos waarmee u ZorgCert gebruikte, of zet uw back-up terug "
        "(zorgcert restore BESTAND).",
        "en": "Log in with the keyring you used ZorgCert with, or restore your backup (zorgcert restore FILE).",
    },
    "doctor.keyring.needed": {
        "nl": "niet te controleren: de kluis opent alleen met de sleutelbos (zie de controle van de sleutelbos)",
        "en": "cannot be checked: the vault opens only with the keyring (see the keyring check)",
    },
    "doctor.room": {"nl": "Vrije schijfruimte", "en": "Free disk space"},
    "doctor.room.low": {
        "nl": "{free_mb} MB vrij in {folder}; een installatie of vernieuwing heeft {needed_mb} MB nodig",
        "en": "{free_mb} MB free in {folder}; an install or renewal needs {needed_mb} MB",
    },
    "doctor.certificate": {"nl": "Certificaat {user_number}", "en": "Certificate {user_number}"},
    "doctor.certificate.detail": {"nl": "{state}, tot {until}", "en": "{state}, until {until}"},
    "doctor.certificate.valid.next": {"nl": "", "en": ""},
    "doctor.certificate.renewal-open.next": {
        "nl": "Vernieuw het voor het verloopt: zorgcert renew {user_number} (in de app: Vernieuwen).",
        "en": "Renew it before it expires: zorgcert renew {user_number} (in the app: Renew).",
    },
    "doctor.certificate.expired.next": {
        "nl": "Installeer het opnieuw met uw gebruikersnummer en pincode: zorgcert install --user-number "
        "{user_number} (in de app: Opnieuw installeren).",
        "en": "Reinstall it with your user number and PIN: zorgcert install --user-number {user_number} "
        "(in the app: Reinstall).",
    },
    "doctor.certificate.lost.next": {
        "nl": "Het staat niet meer in elke opslag. Zet de back-up terug (zorgcert restore BESTAND); zonder "
        "back-up belt u Support, die het intrekt, waarna u opnieuw installeert.",
        "en": "It is no longer in every store. Restore the backup (zorgcert restore FILE); without a backup, "
        "call Support, who revoke it, after which you install again.",
    },
    "doctor.certificate.revoked.next": {
        "nl": "Een ingetrokken certificaat werkt niet meer. Vraag de contactpersoon van uw praktijk om een nieuw "
        "certificaat.",
        "en": "A revoked certificate no longer works. Ask your practice's contact person for a new certificate.",
    },
    "doctor.backup": {"nl": "Back-up van certificaat {user_number}", "en": "Backup of certificate {user_number}"},
    "doctor.backup.detail": {
        "nl": "er is geen back-up van dit certificaat (de laatste back-up is ouder of er is er geen)",
        "en": "there is no backup of this certificate (the last one is older, or there is none)",
    },
    "doctor.backup.next": {
        "nl": "Maak een back-up: zorgcert backup {user_number} --out BESTAND (in de app: Back-up maken).",
        "en": "Make a backup: zorgcert backup {user_number} --out FILE (in the app: Make a backup).",
    },
    "doctor.pending.ask": {
        "nl": "onderbroken nadat de sleutel gemaakt was; ZorgCert moet de uitgever vragen of er een certificaat "
        "is uitgegeven",
        "en": "interrupted after the key was made; ZorgCert must ask the issuer whether a certificate was issued",
    },
    "doctor.pending.ask.next": {
        "nl": "Start zorgcert status (of open ZorgCert) terwijl de uitgever bereikbaar is: dan vraagt ZorgCert "
        "het na en maakt het af of draait het terug. Voer uw pincode niet opnieuw in.",
        "en": "Run zorgcert status (or open ZorgCert) while the issuer can be reached: ZorgCert then asks, and "
        "finishes or rolls back. Do not enter your PIN again.",
    },
    "doctor.pending.issued": {
        "nl": "het certificaat is uitgegeven en bewaard, maar nog niet overal geïnstalleerd",
        "en": "the certificate was issued and kept, but is not yet installed everywhere",
    },
    "doctor.pending.issued.next": {
        "nl": "Start zorgcert status (of open ZorgCert): dan wordt het geïnstalleerd. Lukt dat niet, dan zegt "
        "ZorgCert waarom (bijvoorbeeld een volle schijf: zie Vrije schijfruimte).",
        "en": "Run zorgcert status (or open ZorgCert): it is then installed. If that fails, ZorgCert says why "
        "(for example a full disk: see Free disk space).",
    },
}
