"""Every sentence the user sees, in Dutch first and English second.

``t(key, lang, **params)`` formats one. A test checks that every key has both languages
and the same placeholders in each.
"""

from __future__ import annotations

import os
from typing import Any

DEFAULT_LANG = "nl"
LANGS = ("nl", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # --- refusals by the issuer (codes of issuer/problems.py) ---
    "refusal.pin-invalid": {
        "nl": "Het gebruikersnummer of de pincode klopt niet.",
        "en": "The user number or PIN is wrong.",
    },
    "refusal.pin-invalid.next": {
        "nl": "Controleer de pincode in de brief of de Berichtenbox. U kunt het nog {attempts_left} keer "
        "proberen; daarna wordt het gebruikersnummer geblokkeerd.",
        "en": "Check the PIN in the letter or the message box. You have {attempts_left} more tries; "
        "after that the user number is blocked.",
    },
    "refusal.user-blocked": {
        "nl": "Dit gebruikersnummer is geblokkeerd na te veel onjuiste pincodes.",
        "en": "This user number is blocked after too many wrong PINs.",
    },
    "refusal.user-blocked.next": {
        "nl": "{who} kan de blokkade opheffen. Vraag nooit iemand om uw pincode.",
        "en": "{who} can unblock it. Never give anyone your PIN.",
    },
    "who.contact-person": {"nl": "De contactpersoon van uw praktijk", "en": "Your practice's contact person"},
    "who.support": {"nl": "Alleen Support", "en": "Only Support"},
    "refusal.install-window-expired": {
        "nl": "Dit certificaat is niet binnen de installatietermijn geïnstalleerd en is daarom verwijderd.",
        "en": "This certificate was not installed within the install window and has been deleted.",
    },
    "refusal.install-window-expired.next": {
        "nl": "Vraag de contactpersoon van uw praktijk om een nieuw certificaat aan te vragen.",
        "en": "Ask your practice's contact person to request a new certificate.",
    },
    "refusal.still-valid": {
        "nl": "Het certificaat van dit gebruikersnummer is nog geldig (tot {valid_until}) en kan daarom niet "
        "opnieuw met de pincode worden geïnstalleerd.",
        "en": "The certificate of this user number is still valid (until {valid_until}), so it cannot be "
        "installed again with the PIN.",
    },
    "refusal.still-valid.next": {
        "nl": "Zet de back-up terug die u na de installatie of laatste vernieuwing maakte "
        "(in de app: Back-up terugzetten; op de opdrachtregel: zorgcert restore BESTAND). "
        "Heeft u geen back-up, bel dan Support: zij trekken het verloren "
        "certificaat in, waarna u opnieuw kunt installeren.",
        "en": "Restore the backup you made after installing or last renewing (in the app: Restore backup; on the "
        "command line: zorgcert restore FILE). "
        "Without a backup, call Support: they revoke the lost certificate, after which you can install again.",
    },
    "refusal.renewal-not-open": {
        "nl": "Vernieuwen kan nog niet.",
        "en": "Renewal is not open yet.",
    },
    "refusal.renewal-not-open.next": {
        "nl": "Vernieuwen kan vanaf {opens_at}. ZorgCert herinnert u daaraan.",
        "en": "You can renew from {opens_at}. ZorgCert will remind you.",
    },
    "refusal.revoked": {
        "nl": "Dit certificaat is ingetrokken en kan niet worden vernieuwd of opnieuw geïnstalleerd.",
        "en": "This certificate is revoked and cannot be renewed or reinstalled.",
    },
    "refusal.revoked.next": {
        "nl": "Vraag de contactpersoon van uw praktijk om een nieuw certificaat.",
        "en": "Ask your practice's contact person for a new certificate.",
    },
    "refusal.certificate-expired": {
        "nl": "Dit certificaat is verlopen; vernieuwen kan niet meer.",
        "en": "This certificate has expired; it can no longer be renewed.",
    },
    "refusal.certificate-expired.next": {
        "nl": "Installeer het opnieuw met uw gebruikersnummer en pincode (in de app: Opnieuw installeren; op de "
        "opdrachtregel: zorgcert install).",
        "en": "Reinstall it with your user number and PIN (in the app: Reinstall; on the command line: "
        "zorgcert install).",
    },
    "refusal.no-agreement": {
        "nl": "Uw praktijk heeft nog geen overeenkomst met de uitgever.",
        "en": "Your practice has no agreement with the issuer yet.",
    },
    "refusal.no-agreement.next": {
        "nl": "Meld uw praktijk aan en stuur de ondertekende overeenkomst terug.",
        "en": "Register your practice and return the signed agreement.",
    },
    "refusal.not-approved": {
        "nl": "Deze aanvraag is nog niet goedgekeurd door de uitgever.",
        "en": "This request has not been approved by the issuer yet.",
    },
    "refusal.not-approved.next": {
        "nl": "Wacht op de e-mail met het gebruikersnummer; die komt na de goedkeuring.",
        "en": "Wait for the e-mail with the user number; it comes after approval.",
    },
    "refusal.not-authorised": {
        "nl": "Dit certificaat mag dit niet doen.",
        "en": "This certificate is not allowed to do this.",
    },
    "refusal.not-authorised.next": {
        "nl": "Vraag de contactpersoon van uw praktijk om de juiste autorisatie, of gebruik het nieuwste certificaat.",
        "en": "Ask your practice's contact person for the right authorisation, or use the newest certificate.",
    },
    "refusal.not-found": {"nl": "De uitgever kent dit niet.", "en": "The issuer does not know this."},
    "refusal.not-found.next": {
        "nl": "Controleer het gebruikersnummer in de e-mail.",
        "en": "Check the user number in the e-mail.",
    },
    "refusal.bad-request": {
        "nl": "De uitgever weigerde het verzoek: {details}",
        "en": "The issuer refused the request: {details}",
    },
    "refusal.bad-request.next": {
        "nl": "Probeer het opnieuw; blijft dit gebeuren, maak dan een supportbestand en bel Support.",
        "en": "Try again; if it keeps happening, make a support file and call Support.",
    },
    # --- errors on this side ---
    "error.generic": {
        "nl": "Er ging iets mis (referentie {reference}).",
        "en": "Something went wrong (reference {reference}).",
    },
    "error.generic.next": {
        "nl": "Probeer het opnieuw. Blijft het misgaan, bel Support en noem de referentie.",
        "en": "Try again. If it keeps failing, call Support and quote the reference.",
    },
    "error.cancelled": {"nl": "Afgebroken; er is niets veranderd.", "en": "Cancelled; nothing was changed."},
    "error.cancelled.next": {"nl": "", "en": ""},
    "error.usage": {"nl": "{details}", "en": "{details}"},
    "error.usage.next": {"nl": "Zie zorgcert --help.", "en": "See zorgcert --help."},
    "error.user_number": {
        "nl": "'{value}' is geen geldig gebruikersnummer.",
        "en": "'{value}' is not a valid user number.",
    },
    "error.user_number.next": {
        "nl": "Een gebruikersnummer heeft 14 cijfers; neem het over uit de e-mail van de uitgever.",
        "en": "A user number has 14 digits; copy it from the issuer's e-mail.",
    },
    "error.pin_empty": {"nl": "Er is geen pincode ingevoerd.", "en": "No PIN was entered."},
    "error.pin_empty.next": {
        "nl": "Typ de pincode uit de brief of de Berichtenbox.",
        "en": "Type the PIN from the letter or the message box.",
    },
    "error.not_in_wallet": {
        "nl": "ZorgCert kent op deze computer geen certificaat met gebruikersnummer {user_number}.",
        "en": "ZorgCert on this computer knows no certificate with user number {user_number}.",
    },
    "error.not_in_wallet.next": {
        "nl": "Bekijk uw certificaten met zorgcert status, of installeer het met zorgcert install.",
        "en": "See your certificates with zorgcert status, or install with zorgcert install.",
    },
    "error.no_issuer": {
        "nl": "Er is geen uitgever ingesteld.",
        "en": "No issuer is configured.",
    },
    "error.no_issuer.next": {
        "nl": "Stel hem in met zorgcert config set issuer-url URL en zorgcert config set issuer-ca BESTAND.",
        "en": "Set it with zorgcert config set issuer-url URL and zorgcert config set issuer-ca FILE.",
    },
    "error.unreachable": {
        "nl": "De uitgever is niet bereikbaar ({details}).",
        "en": "The issuer cannot be reached ({details}).",
    },
    "error.unreachable.next": {
        "nl": "Controleer de internetverbinding en de proxy-instellingen en probeer het later opnieuw. "
        "Er is niets veranderd.",
        "en": "Check the internet connection and proxy settings and try again later. Nothing was changed.",
    },
    "error.untrusted": {
        "nl": "De server op {url} is niet de vertrouwde uitgever: het TLS-certificaat klopt niet.",
        "en": "The server at {url} is not the trusted issuer: its TLS certificate does not match.",
    },
    "error.untrusted.next": {
        "nl": "Er is niets verstuurd. Controleer het adres van de uitgever; in een bedrijfsnetwerk kan een "
        "proxy het verkeer onderscheppen. Bel Support als dit blijft gebeuren.",
        "en": "Nothing was sent. Check the issuer's address; in a company network a proxy may be "
        "intercepting traffic. Call Support if this keeps happening.",
    },
    "error.protocol": {
        "nl": "De uitgever gaf een onverwacht antwoord ({details}).",
        "en": "The issuer gave an unexpected answer ({details}).",
    },
    "error.protocol.next": {
        "nl": "Probeer het later opnieuw; bel Support als dit blijft gebeuren.",
        "en": "Try again later; call Support if this keeps happening.",
    },
    "error.store": {
        "nl": "De certificaatopslag {store} gaf een fout: {details}",
        "en": "The certificate store {store} failed: {details}",
    },
    "error.store.next": {"nl": "{fix}", "en": "{fix}"},
    "error.store_tools": {
        "nl": "De hulpprogramma's voor de certificaatopslag ontbreken: {details}",
        "en": "The certificate store's tools are missing: {details}",
    },
    "error.store_tools.next": {
        "nl": "Installeer het pakket libnss3-tools (sudo apt install libnss3-tools) en probeer het opnieuw.",
        "en": "Install the package libnss3-tools (sudo apt install libnss3-tools) and try again.",
    },
    "error.keyring": {
        "nl": "De sleutelbos van het systeem (Secret Service) is niet beschikbaar.",
        "en": "The system keyring (Secret Service) is not available.",
    },
    "error.keyring.next": {
        "nl": "Log in op een bureaublad met een sleutelbos (GNOME Keyring of KWallet), of start "
        "gnome-keyring-daemon, en probeer het opnieuw.",
        "en": "Log in to a desktop with a keyring (GNOME Keyring or KWallet), or start gnome-keyring-daemon, "
        "and try again.",
    },
    "error.busy": {
        "nl": "ZorgCert is al bezig met een installatie of vernieuwing.",
        "en": "ZorgCert is already installing or renewing.",
    },
    "error.busy.next": {
        "nl": "Wacht tot dat klaar is en probeer het dan opnieuw.",
        "en": "Wait until it has finished and try again.",
    },
    # --- command-line texts ---
    "cli.pin_prompt": {"nl": "Pincode (wordt niet getoond): ", "en": "PIN (not shown): "},
    "cli.installed": {
        "nl": "Certificaat van {name} geïnstalleerd in {where}; geldig tot {until}.",
        "en": "Certificate of {name} installed in {where}; valid until {until}.",
    },
    "cli.installed.backup": {
        "nl": "Maak nu een back-up: zonder back-up kunt u een verloren, nog geldig certificaat niet terugkrijgen.",
        "en": "Make a backup now: without one, a lost certificate that is still valid cannot be recovered.",
    },
    "cli.renewed": {
        "nl": "Certificaat van {name} vernieuwd; geldig tot {until}.",
        "en": "Certificate of {name} renewed; valid until {until}.",
    },
    "cli.recovered": {
        "nl": "Een onderbroken {operation} van {user_number} is afgemaakt.",
        "en": "An interrupted {operation} of {user_number} was completed.",
    },
    "cli.rolled_back": {
        "nl": "Een onderbroken {operation} van {user_number} is teruggedraaid; er is niets veranderd.",
        "en": "An interrupted {operation} of {user_number} was rolled back; nothing was changed.",
    },
    "cli.no_certificates": {
        "nl": "Er staan nog geen certificaten op deze computer. Installeer er een met zorgcert install.",
        "en": "There are no certificates on this computer yet. Install one with zorgcert install.",
    },
    "cli.no_backup": {"nl": "geen back-up sinds de laatste installatie", "en": "no backup since last install"},
    "cli.config_set": {"nl": "{key} ingesteld op {value}.", "en": "{key} set to {value}."},
    "state.valid": {"nl": "geldig", "en": "valid"},
    "state.renewal-open": {"nl": "vernieuwen mogelijk", "en": "renewal open"},
    "state.expired": {"nl": "verlopen", "en": "expired"},
    "state.lost": {"nl": "verloren", "en": "lost"},
    "state.revoked": {"nl": "ingetrokken", "en": "revoked"},
    "kind.personal": {"nl": "persoonlijk certificaat", "en": "personal certificate"},
    "kind.system": {"nl": "systeemcertificaat", "en": "system certificate"},
    "doctor.pass": {"nl": "OK", "en": "OK"},
    "doctor.issuer": {"nl": "Uitgever ingesteld", "en": "Issuer configured"},
    "doctor.reachable": {"nl": "Uitgever bereikbaar", "en": "Issuer reachable"},
    "doctor.trust": {"nl": "TLS-vertrouwen in de uitgever", "en": "TLS trust in the issuer"},
    "doctor.clock": {"nl": "Klok gelijk met de uitgever", "en": "Clock in step with the issuer"},
    "doctor.clock.detail": {"nl": "verschil {seconds} seconden", "en": "{seconds} seconds apart"},
    "doctor.clock.next": {
        "nl": "Zet 'tijd automatisch instellen' aan; een verkeerde klok laat certificaten te vroeg of te laat "
        "verlopen.",
        "en": "Turn on automatic time; a wrong clock makes certificates look expired too early or too late.",
    },
    "doctor.store": {"nl": "Certificaatopslag {store}", "en": "Certificate store {store}"},
    "doctor.keymatch": {
        "nl": "Sleutel en certificaat van {user_number} horen bij elkaar",
        "en": "Key and certificate of {user_number} belong together",
    },
    "doctor.keymatch.next": {
        "nl": "Zet uw back-up terug (in de app: Back-up terugzetten; op de opdrachtregel: zorgcert restore).",
        "en": "Restore your backup (in the app: Restore backup; on the command line: zorgcert restore).",
    },
    "doctor.visible": {
        "nl": "Certificaat {user_number} zichtbaar in {store}",
        "en": "Certificate {user_number} visible in {store}",
    },
    "doctor.visible.next": {
        "nl": "Het certificaat ontbreekt hier. Zet uw back-up terug; is het nog geldig en heeft u geen back-up, "
        "bel dan Support.",
        "en": "The certificate is missing here. Restore your backup; if it is still valid and you have none, "
        "call Support.",
    },
    "doctor.pending": {"nl": "Geen onderbroken installatie of vernieuwing", "en": "No interrupted install or renewal"},
    "doctor.pending.next": {
        "nl": "Open ZorgCert opnieuw (of start zorgcert status): het maakt het vanzelf af.",
        "en": "Open ZorgCert again (or run zorgcert status): it finishes it by itself.",
    },
    "doctor.fail": {"nl": "MISLUKT", "en": "FAIL"},
    "doctor.warn": {"nl": "LET OP", "en": "WARN"},
    "refusal.certificate-superseded": {
        "nl": "Dit certificaat is vervangen door een nieuwer certificaat (bijvoorbeeld bij een vernieuwing) en "
        "werkt niet meer.",
        "en": "This certificate has been replaced by a newer one (for example by a renewal) and no longer works.",
    },
    "refusal.certificate-superseded.next": {
        "nl": "Gebruik het nieuwste certificaat: zet de back-up terug die u na de laatste vernieuwing of "
        "installatie maakte. Heeft u die niet, vraag Support dan het kwijtgeraakte certificaat in te trekken en "
        "installeer daarna opnieuw met uw gebruikersnummer en pincode.",
        "en": "Use the newest certificate: restore the backup you made after the last renewal or install. If "
        "you have none, ask Support to revoke the lost certificate, then install again with your user number "
        "and PIN.",
    },
    "recovery.waiting": {
        "nl": "Een onderbroken {operation} van gebruikersnummer {user_number} is nog niet afgemaakt: alleen de "
        "uitgever waarbij die begon ({issuer_url}) kan zeggen of er een certificaat is gemaakt, en ZorgCert wijst "
        "nu naar {current}. De nieuwe sleutel blijft bewaard.",
        "en": "An interrupted {operation} of user number {user_number} is not finished yet: only the issuer it "
        "started with ({issuer_url}) can say whether a certificate was made, and ZorgCert now points at "
        "{current}. The new key is kept.",
    },
    "recovery.waiting.next": {
        "nl": "Wijs ZorgCert terug naar die uitgever (zorgcert config set issuer-url {issuer_url}, en issuer-ca met "
        "het CA-bestand van die uitgever) en start zorgcert status: dan maakt ZorgCert het af. Daarna kunt u weer "
        "overstappen.",
        "en": "Point ZorgCert back at that issuer (zorgcert config set issuer-url {issuer_url}, and issuer-ca with "
        "that issuer's CA file) and run zorgcert status: ZorgCert then finishes it. After that you can switch "
        "again.",
    },
    "recovery.op.install": {"nl": "installatie", "en": "install"},
    "recovery.op.renew": {"nl": "vernieuwing", "en": "renewal"},
    "recovery.no_issuer": {"nl": "geen uitgever", "en": "no issuer"},
    "recovery.unknown_issuer": {"nl": "onbekend", "en": "unknown"},
    "error.store_folder_not_ours": {
        "nl": "De map {store} bevat al bestanden die niet van ZorgCert zijn. ZorgCert neemt die map niet over en "
        "overschrijft niets daarin.",
        "en": "The folder {store} already holds files that are not ZorgCert's. ZorgCert does not take that "
        "folder over and overwrites nothing in it.",
    },
    "error.store_folder_not_ours.next": {
        "nl": "Kies een lege of nieuwe map voor de certificaatbestanden (bijvoorbeeld --store file:MAP/zorgcert). "
        "Er is niets veranderd.",
        "en": "Choose an empty or new folder for the certificate files (for example --store file:FOLDER/zorgcert). "
        "Nothing was changed.",
    },
    # --- words for amounts of time (issue 12 point 11): "10 minuten", "2 jaar", "1 dag" ---
    "unit.year.one": {"nl": "{n} jaar", "en": "{n} year"},
    "unit.year.many": {"nl": "{n} jaar", "en": "{n} years"},
    "unit.month.one": {"nl": "{n} maand", "en": "{n} month"},
    "unit.month.many": {"nl": "{n} maanden", "en": "{n} months"},
    "unit.day.one": {"nl": "{n} dag", "en": "{n} day"},
    "unit.day.many": {"nl": "{n} dagen", "en": "{n} days"},
    "unit.hour.one": {"nl": "{n} uur", "en": "{n} hour"},
    "unit.hour.many": {"nl": "{n} uur", "en": "{n} hours"},
    "unit.minute.one": {"nl": "{n} minuut", "en": "{n} minute"},
    "unit.minute.many": {"nl": "{n} minuten", "en": "{n} minutes"},
    "unit.second.one": {"nl": "{n} seconde", "en": "{n} second"},
    "unit.second.many": {"nl": "{n} seconden", "en": "{n} seconds"},
    "unit.and": {"nl": "en", "en": "and"},
    # the countdown of a card and of zorgcert status (app.certview.countdown)
    "ui.left.revoked": {"nl": "niet meer bruikbaar", "en": "no longer usable"},
    "ui.left.span": {"nl": "nog {span} geldig", "en": "{span} left"},
    "ui.left.expired_ago": {"nl": "{span} geleden verlopen", "en": "expired {span} ago"},
    "ui.left.expired_now": {"nl": "zojuist verlopen", "en": "expired just now"},
    # zorgcert status: the next step for a certificate that needs one
    "status.next.expired": {
        "nl": "Installeer het opnieuw met uw gebruikersnummer en pincode: zorgcert install --user-number "
        "{user_number} (in de app: Opnieuw installeren).",
        "en": "Reinstall it with your user number and PIN: zorgcert install --user-number {user_number} "
        "(in the app: Reinstall).",
    },
    "status.next.lost": {
        "nl": "Zet de back-up terug die u na de installatie of laatste vernieuwing maakte: zorgcert restore "
        "BESTAND (in de app: Back-up terugzetten). Geen back-up? Bel Support: zij trekken het certificaat in, "
        "daarna installeert u opnieuw met gebruikersnummer en pincode.",
        "en": "Restore the backup you made after installing or last renewing: zorgcert restore FILE (in the "
        "app: Restore backup). No backup? Call Support: they revoke the certificate, then you install again "
        "with user number and PIN.",
    },
    "status.next.renewal-open": {
        "nl": "Vernieuw het nu: zorgcert renew {user_number} (in de app: Vernieuwen).",
        "en": "Renew it now: zorgcert renew {user_number} (in the app: Renew).",
    },
    "status.next.revoked": {
        "nl": "Vraag de contactpersoon van uw praktijk om een nieuw certificaat.",
        "en": "Ask your practice's contact person for a new certificate.",
    },
    "status.until": {"nl": "tot {until}", "en": "until {until}"},
    "status.expired_on": {"nl": "op {until}", "en": "on {until}"},
    # renew: R8, an older backup holds an older certificate
    "cli.renewed.backup": {
        "nl": "Maak nu een nieuwe back-up: uw oude back-up bevat het oude certificaat "
        "(zorgcert backup {user_number} --out BESTAND).",
        "en": "Make a new backup now: your old backup holds the old certificate "
        "(zorgcert backup {user_number} --out FILE).",
    },
    # a 14-digit user number whose check digit does not match: a typo, not a wrong length
    "error.user_number_typo": {
        "nl": "'{value}' is geen geldig gebruikersnummer: het controlecijfer (het laatste cijfer) klopt niet.",
        "en": "'{value}' is not a valid user number: the check digit (the last digit) does not match.",
    },
    "error.user_number_typo.next": {
        "nl": "Er zit waarschijnlijk een tikfout in. Neem het nummer opnieuw over uit de e-mail van de uitgever.",
        "en": "There is probably a typo. Copy the number again from the issuer's e-mail.",
    },
    # install on a certificate that is installed here and still valid: refused before the PIN is asked
    "error.already_installed": {
        "nl": "Het certificaat van gebruikersnummer {user_number} staat al op deze computer en is nog geldig "
        "(tot {valid_until}). Opnieuw installeren met de pincode kan pas na het verlopen.",
        "en": "The certificate of user number {user_number} is already on this computer and still valid "
        "(until {valid_until}). Installing it again with the PIN is possible only after it expires.",
    },
    "error.already_installed.next": {
        "nl": "U hoeft niets te doen. Vernieuwen kan vanaf {opens_at} (zorgcert renew {user_number}, in de app: "
        "Vernieuwen); ZorgCert herinnert u daaraan. Er is geen pincode gebruikt.",
        "en": "There is nothing to do. You can renew from {opens_at} (zorgcert renew {user_number}, in the "
        "app: Renew); ZorgCert will remind you. No PIN was used.",
    },
    "error.already_installed_renew": {
        "nl": "Het certificaat van gebruikersnummer {user_number} staat al op deze computer en is nog geldig "
        "(tot {valid_until}). Opnieuw installeren met de pincode kan pas na het verlopen.",
        "en": "The certificate of user number {user_number} is already on this computer and still valid "
        "(until {valid_until}). Installing it again with the PIN is possible only after it expires.",
    },
    "error.already_installed_renew.next": {
        "nl": "Vernieuw het nu: zorgcert renew {user_number} (in de app: Vernieuwen). Er is geen pincode gebruikt.",
        "en": "Renew it now: zorgcert renew {user_number} (in the app: Renew). No PIN was used.",
    },
    # every error shown in the app and the command line carries the reference that is in zorgcert.log
    "error.reference": {"nl": "Referentie voor Support: {reference}", "en": "Reference for Support: {reference}"},
    # --- trust boundaries of the issuer connection (issue 11) ---
    "error.issuer_not_https": {
        "nl": "Het adres van de uitgever ({url}, uit {source}) is geen beveiligd https-adres. ZorgCert stuurt "
        "daar niets heen, ook uw pincode niet.",
        "en": "The issuer's address ({url}, from {source}) is not a secure https address. ZorgCert sends nothing "
        "there, your PIN included.",
    },
    "error.issuer_not_https.next": {
        "nl": "Stel het adres in dat met https:// begint, zoals de uitgever het opgeeft: "
        "zorgcert config set issuer-url https://… (komt het uit ZORGCERT_ISSUER_URL, pas dan die variabele aan).",
        "en": "Set the address starting with https:// that the issuer gives: zorgcert config set issuer-url "
        "https://… (if it comes from ZORGCERT_ISSUER_URL, change that variable).",
    },
    "error.untrusted_chain": {
        "nl": "De uitgever op {url} stuurde CA-certificaten die niet horen bij de ingestelde uitgever-CA "
        "({ca_file}). ZorgCert vertrouwt ze niet en heeft niets geïnstalleerd.",
        "en": "The issuer at {url} sent CA certificates that do not belong to the configured issuer CA "
        "({ca_file}). ZorgCert does not trust them and installed nothing.",
    },
    "error.untrusted_chain.next": {
        "nl": "Controleer met zorgcert config show of het adres en het CA-bestand bij dezelfde uitgever horen. "
        "Bel Support als dit blijft gebeuren.",
        "en": "Check with zorgcert config show that the address and the CA file belong to the same issuer. "
        "Call Support if this keeps happening.",
    },
    "error.untrusted_certificate": {
        "nl": "Het certificaat dat de uitgever op {url} terugstuurde is niet door de ingestelde uitgever-CA "
        "ondertekend of hoort niet bij de sleutel op deze computer. ZorgCert heeft het niet geïnstalleerd.",
        "en": "The certificate the issuer at {url} returned is not signed by the configured issuer CA or does "
        "not belong to the key on this computer. ZorgCert did not install it.",
    },
    "error.untrusted_certificate.next": {
        "nl": "Probeer het later opnieuw; ZorgCert vraagt de uitgever dan wat er is uitgegeven. Bel Support als "
        "dit blijft gebeuren.",
        "en": "Try again later; ZorgCert then asks the issuer what was issued. Call Support if this keeps "
        "happening.",
    },
    "error.certificate_rejected": {
        "nl": "De uitgever weigerde uw certificaat bij het opzetten van de beveiligde verbinding: het is niet "
        "(meer) geldig bij deze uitgever, of het is van een andere uitgever.",
        "en": "The issuer refused your certificate while setting up the secure connection: it is not (or no "
        "longer) valid at this issuer, or it is from another issuer.",
    },
    "error.certificate_rejected.next": {
        "nl": "Controleer of ZorgCert op de juiste uitgever is ingesteld (zorgcert config show). Is dat zo, "
        "installeer het certificaat dan opnieuw met uw gebruikersnummer en pincode, of vraag de contactpersoon "
        "van uw praktijk om een nieuw certificaat.",
        "en": "Check that ZorgCert is set to the right issuer (zorgcert config show). If it is, reinstall the "
        "certificate with your user number and PIN, or ask your practice's contact person for a new "
        "certificate.",
    },
    "doctor.chain": {
        "nl": "CA-certificaten van de uitgever horen bij de ingestelde CA",
        "en": "The issuer's CA certificates belong to the configured CA",
    },
    "doctor.accepted": {
        "nl": "Uitgever accepteert certificaat {user_number}",
        "en": "Issuer accepts certificate {user_number}",
    },
    "doctor.website_trust": {
        "nl": "Uitgever-CA niet vertrouwd voor websites in {store}",
        "en": "Issuer CA not trusted for websites in {store}",
    },
    "doctor.website_trust.removed": {
        "nl": "websitevertrouwen weggehaald bij: {names}",
        "en": "website trust removed from: {names}",
    },
    "doctor.website_trust.next": {
        "nl": "Sluit Firefox en Chromium en start zorgcert doctor opnieuw.",
        "en": "Close Firefox and Chromium and run zorgcert doctor again.",
    },
    "error.keyring_timeout": {
        "nl": "De sleutelbos van het systeem (Secret Service) antwoordde niet binnen {seconds} seconden; ZorgCert "
        "wacht niet langer. Er is niets veranderd.",
        "en": "The system keyring (Secret Service) did not answer within {seconds} seconds; ZorgCert stopped "
        "waiting. Nothing was changed.",
    },
    "error.keyring_timeout.next": {
        "nl": "Staat er een venster open dat vraagt de sleutelbos te ontgrendelen? Ontgrendel hem en probeer het "
        "opnieuw. Anders: log uit en weer in (of herstart gnome-keyring-daemon) en probeer het opnieuw.",
        "en": "Is a window asking to unlock the keyring? Unlock it and try again. Otherwise log out and in again "
        "(or restart gnome-keyring-daemon) and try again.",
    },
    "error.keyring_no_bus": {
        "nl": "Er is geen sleutelbos: deze sessie heeft geen D-Bus (DBUS_SESSION_BUS_ADDRESS is leeg), zoals op een "
        "server, via SSH of op een minimaal bureaublad. ZorgCert bewaart de sleutel van zijn kluis alleen in de "
        "sleutelbos van het systeem. Er is niets veranderd.",
        "en": "There is no keyring: this session has no D-Bus (DBUS_SESSION_BUS_ADDRESS is empty), as on a server, "
        "over SSH or on a minimal desktop. ZorgCert keeps its vault key only in the system keyring. Nothing was "
        "changed.",
    },
    "error.keyring_no_bus.next": {
        "nl": "Gebruik ZorgCert op een bureaublad met GNOME Keyring of KWallet. Zonder bureaublad: start een "
        "sessie met een eigen sleutelbos, zoals beschreven in docs/app.md (\"Zonder sleutelbos\"), of probeer "
        "ZorgCert eerst met zorgcert demo, dat zijn eigen sleutelbos meebrengt.",
        "en": "Use ZorgCert on a desktop with GNOME Keyring or KWallet. Without a desktop: start a session with a "
        "keyring of its own as docs/app.md describes (\"Without a keyring\"), or try ZorgCert first with "
        "zorgcert demo, which brings its own keyring.",
    },
    "error.vault_key_changed": {
        "nl": "ZorgCert kan de bewaarde privésleutel van dit certificaat niet openen: de sleutelbos van het systeem "
        "heeft een andere (of geen) kluissleutel dan toen het certificaat werd geïnstalleerd. Dat gebeurt als de "
        "sleutelbos is gewist of vervangen, of als u in een andere sessie werkt. De certificaatopslag heeft ook "
        "geen bijpassende sleutel meer. Er is niets veranderd.",
        "en": "ZorgCert cannot open the private key it kept for this certificate: the system keyring holds another "
        "(or no) vault key than when the certificate was installed. That happens when the keyring was wiped or "
        "replaced, or in another session. The certificate store no longer has a matching key either. Nothing was "
        "changed.",
    },
    "error.vault_key_changed.next": {
        "nl": "Werkt u in een andere sessie? Probeer het dan in de sessie waarin u installeerde. Zet anders de "
        "back-up terug die u na de installatie of laatste vernieuwing maakte (in de app: Back-up terugzetten; op "
        "de opdrachtregel: zorgcert restore BESTAND). Geen back-up en het certificaat is nog geldig: bel Support.",
        "en": "Working in another session? Try in the session you installed in. Otherwise restore the backup you "
        "made after installing or last renewing (in the app: Restore backup; on the command line: zorgcert "
        "restore FILE). No backup and the certificate is still valid: call Support.",
    },
    "state.quarantined": {
        "nl": "Let op: het bestand {what} van ZorgCert was beschadigd of onleesbaar. ZorgCert heeft het apart gezet "
        "als {kept} (het blijft bewaard) en gaat verder zonder.",
        "en": "Note: ZorgCert's file {what} was damaged or unreadable. ZorgCert set it aside as {kept} (it is "
        "kept) and carries on without it.",
    },
    "state.quarantined.next": {
        "nl": "Controleer met zorgcert status (of in de app) of uw certificaten er nog zijn en of de instellingen "
        "kloppen; zorgcert doctor noemt het apart gezette bestand. Klopt alles, dan kunt u dat bestand verwijderen.",
        "en": "Check with zorgcert status (or in the app) that your certificates are still there and the settings "
        "are right; zorgcert doctor names the file set aside. If all is well you may delete that file.",
    },
    "state.wallet_rebuilt": {
        "nl": "ZorgCert heeft het overzicht van uw certificaten opnieuw opgebouwd uit de kluis en de "
        "certificaatopslag: {count} certificaat/certificaten teruggevonden ({numbers}).",
        "en": "ZorgCert rebuilt the list of your certificates from the vault and the certificate stores: {count} "
        "certificate(s) found again ({numbers}).",
    },
    "state.wallet_rebuilt.next": {
        "nl": "Maak van elk certificaat een nieuwe back-up (zorgcert backup). Ontbreekt er een (bijvoorbeeld een "
        "systeemcertificaat in een map die u zelf koos), zet dan de back-up ervan terug met zorgcert restore.",
        "en": "Make a new backup of each certificate (zorgcert backup). If one is missing (for example a system "
        "certificate in a folder you chose yourself), restore its backup with zorgcert restore.",
    },
    "state.wallet_not_rebuilt": {
        "nl": "ZorgCert kon het overzicht van uw certificaten nu niet opnieuw opbouwen ({reason}).",
        "en": "ZorgCert could not rebuild the list of your certificates now ({reason}).",
    },
    "state.wallet_not_rebuilt.next": {
        "nl": "Zorg dat de sleutelbos van het systeem bereikbaar is (meld u opnieuw aan) en start zorgcert status "
        "nog eens: dan probeert ZorgCert het opnieuw. Uw certificaten in de browser blijven werken.",
        "en": "Make sure the system keyring is available (log in again) and run zorgcert status once more: "
        "ZorgCert then tries again. Your certificates in the browser keep working.",
    },
    "error.state_file": {
        "nl": "Een bestand van ZorgCert ({path}) is beschadigd en kan niet opzij gezet worden.",
        "en": "One of ZorgCert's files ({path}) is damaged and cannot be set aside.",
    },
    "error.state_file.next": {
        "nl": "Controleer of u in die map mag schrijven en of de schijf niet vol is, en zet het bestand zelf "
        "opzij (hernoemen). Start daarna ZorgCert opnieuw.",
        "en": "Check that you may write in that folder and that the disk is not full, and set the file aside "
        "yourself (rename it). Then start ZorgCert again.",
    },
    "error.state_file_newer": {
        "nl": "Het bestand {path} is geschreven door een nieuwere versie van ZorgCert.",
        "en": "The file {path} was written by a newer version of ZorgCert.",
    },
    "error.state_file_newer.next": {
        "nl": "Gebruik de nieuwere versie van ZorgCert weer; het bestand is niet veranderd.",
        "en": "Use the newer version of ZorgCert again; the file was not changed.",
    },
    "doctor.state": {"nl": "Bestanden van ZorgCert leesbaar", "en": "ZorgCert's own files readable"},
    "doctor.state.kept": {
        "nl": "apart gezet na beschadiging: {files}",
        "en": "set aside after damage: {files}",
    },
    "doctor.state.next": {
        "nl": "ZorgCert heeft beschadigde bestanden apart gezet en opnieuw opgebouwd wat kon. Controleer "
        "zorgcert status en maak een nieuwe back-up; klopt alles, verwijder dan de genoemde bestanden.",
        "en": "ZorgCert set damaged files aside and rebuilt what it could. Check zorgcert status and make a new "
        "backup; if all is well, delete the files named.",
    },
    "doctor.state.not_rebuilt": {
        "nl": "het overzicht van de certificaten kon nog niet opnieuw opgebouwd worden",
        "en": "the list of certificates could not be rebuilt yet",
    },
    "recovery.op.restore": {"nl": "terugzetting", "en": "restore"},
    "recovery.op.backup": {"nl": "back-up", "en": "backup"},
    "recovery.op.export": {"nl": "export", "en": "export"},
}


def register(catalog: dict[str, dict[str, str]]) -> None:
    """Add another part's sentences (backup, demo, the UI); a key may be defined only once."""
    clash = MESSAGES.keys() & catalog.keys()
    if clash:
        raise ValueError(f"message keys defined twice: {sorted(clash)}")
    MESSAGES.update(catalog)


def current_lang(explicit: str | None = None) -> str:
    """The language asked for, else ``ZORGCERT_LANG``, else Dutch."""
    lang = (explicit or os.environ.get("ZORGCERT_LANG") or DEFAULT_LANG).lower()[:2]
    return lang if lang in LANGS else DEFAULT_LANG


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The sentence ``key`` in ``lang`` with ``params`` filled in (unknown ones left visible).

    ``key`` and ``lang`` are positional-only, so a sentence may have a ``{key}`` or ``{lang}`` placeholder.
    """
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    return entry.get(lang, entry[DEFAULT_LANG]).format_map(_Lenient(params))


def has(key: str) -> bool:
    return key in MESSAGES


_UNITS = ("year", "month", "day", "hour", "minute", "second")


def amount(n: int, unit: str, lang: str = DEFAULT_LANG) -> str:
    """``n`` of ``unit`` in words, singular or plural: '1 dag', '2 dagen', '10 minutes'."""
    return t(f"unit.{unit}.{'one' if n == 1 else 'many'}", lang, n=n)


def listed(parts: list[str], lang: str = DEFAULT_LANG) -> str:
    """'a', 'a en b', 'a, b en c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {t('unit.and', lang)} {parts[-1]}"


def duration(iso: str, lang: str = DEFAULT_LANG) -> str:
    """An ISO 8601 duration in words: 'PT10M' -> '10 minuten', 'P2Y' -> '2 jaar', 'P1M' -> '1 month'."""
    import isodate  # only here: the status path never needs it

    try:
        span = isodate.parse_duration(iso)
    except (isodate.ISO8601Error, ValueError, TypeError):
        return iso
    if isinstance(span, isodate.Duration):
        years, months, rest = int(span.years), int(span.months), span.tdelta
    else:
        years, months, rest = 0, 0, span
    seconds = int(rest.total_seconds())
    counts = dict(zip(_UNITS, (years, months, seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60,
                               seconds % 60), strict=True))
    parts = [amount(n, unit, lang) for unit, n in counts.items() if n]
    return listed(parts, lang) or amount(0, "second", lang)


# Sentences of the other parts of the core, kept beside the code that uses them.
from app import i18n_backup, i18n_demo  # noqa: E402

register(i18n_backup.MESSAGES)
register(i18n_demo.MESSAGES)
from app import i18n_health  # noqa: E402

register(i18n_health.MESSAGES)
