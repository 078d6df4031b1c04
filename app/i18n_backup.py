"""Sentences for backup, restore and export, Dutch first; registered by ``app.i18n``."""

_WEAK_NEXT_NL = "Kies een langere wachtwoordzin van vier of meer willekeurige, losse woorden."
_WEAK_NEXT_EN = "Choose a longer passphrase of four or more random, unrelated words."

MESSAGES: dict[str, dict[str, str]] = {
    # --- passphrase strength (backup.strength reasons) ---
    "passphrase.weak.empty": {
        "nl": "Er is geen wachtwoordzin ingevoerd.",
        "en": "No passphrase was entered.",
    },
    "passphrase.weak.empty.next": {"nl": _WEAK_NEXT_NL, "en": _WEAK_NEXT_EN},
    "passphrase.weak.short": {
        "nl": "Deze wachtwoordzin is te kort: gebruik minstens {min_length} tekens.",
        "en": "This passphrase is too short: use at least {min_length} characters.",
    },
    "passphrase.weak.short.next": {"nl": _WEAK_NEXT_NL, "en": _WEAK_NEXT_EN},
    "passphrase.weak.dutch-words": {
        "nl": "Deze wachtwoordzin is te makkelijk te raden: hij bestaat uit gewone Nederlandse woorden.",
        "en": "This passphrase is too easy to guess: it is made of common Dutch words.",
    },
    "passphrase.weak.dutch-words.next": {
        "nl": "Gebruik meer woorden (vier of meer) die niet bij elkaar horen, of voeg een ongewoon woord toe.",
        "en": "Use more words (four or more) that do not belong together, or add an unusual word.",
    },
    "passphrase.weak.words": {
        "nl": "Deze wachtwoordzin is te makkelijk te raden: hij bestaat uit bekende woorden.",
        "en": "This passphrase is too easy to guess: it is made of well-known words.",
    },
    "passphrase.weak.words.next": {
        "nl": "Gebruik meer woorden (vier of meer) die niet bij elkaar horen; letters vervangen door cijfers "
        "(a -> 4) helpt nauwelijks.",
        "en": "Use more words (four or more) that do not belong together; swapping letters for digits "
        "(a -> 4) hardly helps.",
    },
    "passphrase.weak.names": {
        "nl": "Deze wachtwoordzin is te makkelijk te raden: hij bevat veelvoorkomende namen.",
        "en": "This passphrase is too easy to guess: it contains common names.",
    },
    "passphrase.weak.names.next": {
        "nl": "Laat namen weg en gebruik vier of meer willekeurige woorden.",
        "en": "Leave names out and use four or more random words.",
    },
    "passphrase.weak.personal": {
        "nl": "Deze wachtwoordzin bevat uw naam, praktijk of gebruikersnummer.",
        "en": "This passphrase contains your name, practice or user number.",
    },
    "passphrase.weak.personal.next": {
        "nl": "Dat is het eerste wat een aanvaller probeert. Kies woorden die niets met u of uw praktijk te maken "
        "hebben.",
        "en": "That is the first thing an attacker tries. Choose words that have nothing to do with you or your "
        "practice.",
    },
    "passphrase.weak.common-password": {
        "nl": "Deze wachtwoordzin is een veelgebruikt wachtwoord (of lijkt daar sterk op).",
        "en": "This is a commonly used password (or very close to one).",
    },
    "passphrase.weak.common-password.next": {"nl": _WEAK_NEXT_NL, "en": _WEAK_NEXT_EN},
    "passphrase.weak.dates": {
        "nl": "Deze wachtwoordzin leunt op een jaartal of datum; die zijn snel geraden.",
        "en": "This passphrase relies on a year or date; those are guessed quickly.",
    },
    "passphrase.weak.dates.next": {"nl": _WEAK_NEXT_NL, "en": _WEAK_NEXT_EN},
    "passphrase.weak.sequence": {
        "nl": "Deze wachtwoordzin bevat een reeks zoals abc of 1234; die is snel geraden.",
        "en": "This passphrase contains a sequence like abc or 1234; that is guessed quickly.",
    },
    "passphrase.weak.sequence.next": {"nl": _WEAK_NEXT_NL, "en": _WEAK_NEXT_EN},
    "passphrase.weak.repeat": {
        "nl": "Deze wachtwoordzin herhaalt steeds dezelfde tekens.",
        "en": "This passphrase repeats the same characters.",
    },
    "passphrase.weak.repeat.next": {"nl": _WEAK_NEXT_NL, "en": _WEAK_NEXT_EN},
    "passphrase.weak.keyboard": {
        "nl": "Deze wachtwoordzin volgt de toetsen van het toetsenbord (zoals qwerty).",
        "en": "This passphrase follows the keys of the keyboard (like qwerty).",
    },
    "passphrase.weak.keyboard.next": {"nl": _WEAK_NEXT_NL, "en": _WEAK_NEXT_EN},
    "passphrase.weak.guessable": {
        "nl": "Deze wachtwoordzin is te makkelijk te raden.",
        "en": "This passphrase is too easy to guess.",
    },
    "passphrase.weak.guessable.next": {"nl": _WEAK_NEXT_NL, "en": _WEAK_NEXT_EN},
    "passphrase.suggest.more-words": {
        "nl": "Gebruik vier of meer willekeurige woorden, bijvoorbeeld uit een woordenboek opengeslagen op "
        "een willekeurige bladzijde.",
        "en": "Use four or more random words, for example from a dictionary opened at a random page.",
    },
    "passphrase.suggest.unusual-words": {
        "nl": "Vermijd woorden die samen een bekende uitdrukking vormen.",
        "en": "Avoid words that together make a well-known phrase.",
    },
    "passphrase.suggest.no-names": {"nl": "Gebruik geen namen.", "en": "Do not use names."},
    "passphrase.suggest.no-personal": {
        "nl": "Gebruik niets van uzelf: geen naam, praktijk, geboortedatum of gebruikersnummer.",
        "en": "Use nothing about yourself: no name, practice, birth date or user number.",
    },
    "passphrase.suggest.no-common": {
        "nl": "Gebruik geen wachtwoordzin of wachtwoord dat u ergens anders gebruikt.",
        "en": "Do not reuse a password you use elsewhere.",
    },
    "passphrase.suggest.no-dates": {"nl": "Laat jaartallen en datums weg.", "en": "Leave out years and dates."},
    "passphrase.suggest.no-patterns": {
        "nl": "Vermijd reeksen, herhalingen en toetsenbordpatronen.",
        "en": "Avoid sequences, repeats and keyboard patterns.",
    },
    "passphrase.suggest.longer": {
        "nl": "Maak de wachtwoordzin langer; lengte helpt meer dan vreemde tekens.",
        "en": "Make the passphrase longer; length helps more than odd characters.",
    },
    "passphrase.crack.instant": {"nl": "minder dan een minuut", "en": "less than a minute"},
    "passphrase.crack.minutes": {"nl": "ongeveer {n} minuten", "en": "about {n} minutes"},
    "passphrase.crack.hours": {"nl": "ongeveer {n} uur", "en": "about {n} hours"},
    "passphrase.crack.days": {"nl": "ongeveer {n} dagen", "en": "about {n} days"},
    "passphrase.crack.months": {"nl": "ongeveer {n} maanden", "en": "about {n} months"},
    "passphrase.crack.years": {"nl": "ongeveer {n} jaar", "en": "about {n} years"},
    "passphrase.crack.centuries": {"nl": "eeuwen", "en": "centuries"},
    "error.passphrase_mismatch": {
        "nl": "De twee wachtwoordzinnen zijn niet gelijk.",
        "en": "The two passphrases are not the same.",
    },
    "error.passphrase_mismatch.next": {
        "nl": "Typ dezelfde wachtwoordzin twee keer; er is niets opgeslagen.",
        "en": "Type the same passphrase twice; nothing was saved.",
    },
    # --- backup files that cannot be used ---
    "error.backup.wrong_passphrase": {
        "nl": "De wachtwoordzin opent deze back-up niet.",
        "en": "The passphrase does not open this backup.",
    },
    "error.backup.wrong_passphrase.next": {
        "nl": "Controleer de wachtwoordzin (hoofdletters, spaties) en probeer het opnieuw. Er is niets veranderd. "
        "Zonder de juiste wachtwoordzin is de back-up niet te openen, ook niet door Support.",
        "en": "Check the passphrase (capitals, spaces) and try again. Nothing was changed. Without the right "
        "passphrase the backup cannot be opened, not even by Support.",
    },
    "error.backup.truncated": {
        "nl": "Het back-upbestand {path} is onvolledig: het houdt te vroeg op.",
        "en": "The backup file {path} is incomplete: it ends too early.",
    },
    "error.backup.truncated.next": {
        "nl": "Het kopiëren of downloaden is waarschijnlijk afgebroken. Kopieer het bestand opnieuw van de "
        "oorspronkelijke plek. Er is niets veranderd.",
        "en": "Copying or downloading was probably interrupted. Copy the file again from where it came from. "
        "Nothing was changed.",
    },
    "error.backup.not_a_backup": {
        "nl": "{path} is geen ZorgCert-back-up.",
        "en": "{path} is not a ZorgCert backup.",
    },
    "error.backup.not_a_backup.next": {
        "nl": "Kies het bestand dat ZorgCert maakte bij 'back-up maken' (meestal eindigend op .zcbackup). "
        "Er is niets veranderd.",
        "en": "Choose the file ZorgCert made with 'make a backup' (usually ending in .zcbackup). "
        "Nothing was changed.",
    },
    "error.backup.is_pfx": {
        "nl": "{path} is een PKCS#12-bestand (.pfx/.p12), geen ZorgCert-back-up.",
        "en": "{path} is a PKCS#12 file (.pfx/.p12), not a ZorgCert backup.",
    },
    "error.backup.is_pfx.next": {
        "nl": "Een PFX-bestand is bedoeld voor uw browser of administratiepakket. Terugzetten kan alleen met "
        "het .zcbackup-bestand van 'back-up maken'. Er is niets veranderd.",
        "en": "A PFX file is meant for your browser or administration software. Restoring needs the "
        ".zcbackup file from 'make a backup'. Nothing was changed.",
    },
    "error.backup.empty": {
        "nl": "Het bestand {path} is leeg.",
        "en": "The file {path} is empty.",
    },
    "error.backup.empty.next": {
        "nl": "Kopieer de back-up opnieuw van de oorspronkelijke plek. Er is niets veranderd.",
        "en": "Copy the backup again from where it came from. Nothing was changed.",
    },
    "error.backup.newer_version": {
        "nl": "Deze back-up is gemaakt met een nieuwere versie van ZorgCert (formaat {version}).",
        "en": "This backup was made with a newer version of ZorgCert (format {version}).",
    },
    "error.backup.newer_version.next": {
        "nl": "Werk ZorgCert bij en zet de back-up daarna terug. Er is niets veranderd.",
        "en": "Update ZorgCert, then restore the backup. Nothing was changed.",
    },
    "error.backup.damaged": {
        "nl": "Het back-upbestand {path} is beschadigd of gewijzigd.",
        "en": "The backup file {path} is damaged or has been altered.",
    },
    "error.backup.damaged.next": {
        "nl": "Gebruik een andere kopie van de back-up. Er is niets veranderd.",
        "en": "Use another copy of the backup. Nothing was changed.",
    },
    "error.backup.unsupported": {
        "nl": "Het back-upbestand {path} gebruikt instellingen die ZorgCert weigert ({details}).",
        "en": "The backup file {path} uses settings ZorgCert refuses ({details}).",
    },
    "error.backup.unsupported.next": {
        "nl": "Het bestand is waarschijnlijk gewijzigd. Gebruik een andere kopie. Er is niets veranderd.",
        "en": "The file has probably been altered. Use another copy. Nothing was changed.",
    },
    "error.backup.file": {
        "nl": "Het bestand {path} kan niet worden gebruikt: {details}.",
        "en": "The file {path} cannot be used: {details}.",
    },
    "error.backup.file.next": {
        "nl": "Controleer de naam en de map, en of u daar mag lezen en schrijven.",
        "en": "Check the name and the folder, and that you may read and write there.",
    },
    "error.backup.file_missing": {
        "nl": "Het bestand {path} bestaat niet.",
        "en": "The file {path} does not exist.",
    },
    "error.backup.file_missing.next": {
        "nl": "Controleer de naam en de map (staat de USB-stick erin?). Er is niets veranderd.",
        "en": "Check the name and the folder (is the USB stick plugged in?). Nothing was changed.",
    },
    "error.backup.file_folder": {
        "nl": "{path} is een map, geen bestand.",
        "en": "{path} is a folder, not a file.",
    },
    "error.backup.file_folder.next": {
        "nl": "Geef de naam van een bestand in die map, bijvoorbeeld {path}/zorgcert.zcbackup.",
        "en": "Give the name of a file in that folder, for example {path}/zorgcert.zcbackup.",
    },
    "error.backup.folder_missing": {
        "nl": "De map voor {path} bestaat niet.",
        "en": "The folder for {path} does not exist.",
    },
    "error.backup.folder_missing.next": {
        "nl": "Kies een bestaande map (staat de USB-stick erin?).",
        "en": "Choose a folder that exists (is the USB stick plugged in?).",
    },
    "error.backup.not_verified": {
        "nl": "De back-up kon na het schrijven niet worden teruggelezen ({details}).",
        "en": "The backup could not be read back after writing ({details}).",
    },
    "error.backup.not_verified.next": {
        "nl": "Er is geen nieuw bestand achtergelaten; een eerdere back-up met dezelfde naam is ongewijzigd. "
        "Probeer een andere plek (bijvoorbeeld een andere USB-stick).",
        "en": "No new file was left behind; an earlier backup with the same name is unchanged. "
        "Try another place (for example another USB stick).",
    },
    "backup.nothing.expired": {
        "nl": "Het certificaat van gebruikersnummer {user_number} is verlopen; een back-up ervan heeft geen zin.",
        "en": "The certificate of user number {user_number} has expired; backing it up is no use.",
    },
    "backup.nothing.expired.next": {
        "nl": "Installeer het opnieuw met uw gebruikersnummer en pincode (zorgcert install) en maak daarna een "
        "back-up.",
        "en": "Reinstall it with your user number and PIN (zorgcert install), then make a backup.",
    },
    "backup.nothing.revoked": {
        "nl": "Het certificaat van gebruikersnummer {user_number} is ingetrokken.",
        "en": "The certificate of user number {user_number} has been revoked.",
    },
    "backup.nothing.revoked.next": {
        "nl": "Vraag de contactpersoon van uw praktijk om een nieuw certificaat.",
        "en": "Ask your practice's contact person for a new certificate.",
    },
    "backup.nothing.no-key": {
        "nl": "ZorgCert heeft op deze computer geen sleutel bij het certificaat van gebruikersnummer {user_number}.",
        "en": "ZorgCert has no key for the certificate of user number {user_number} on this computer.",
    },
    "backup.nothing.no-key.next": {
        "nl": "Zet de back-up terug die u na de laatste installatie of vernieuwing maakte; heeft u die niet, "
        "bel dan Support.",
        "en": "Restore the backup you made after the last install or renewal; if you have none, call Support.",
    },
    "backup.nothing.mismatch": {
        "nl": "De bewaarde sleutel hoort niet bij het certificaat van gebruikersnummer {user_number}.",
        "en": "The stored key does not belong to the certificate of user number {user_number}.",
    },
    "backup.nothing.mismatch.next": {
        "nl": "Zet een eerdere back-up terug, of bel Support en noem zorgcert doctor.",
        "en": "Restore an earlier backup, or call Support and mention zorgcert doctor.",
    },
    # --- restore refusals ---
    "restore.refused.expired": {
        "nl": "Het certificaat in deze back-up is verlopen (geldig tot {valid_until}); terugzetten heeft geen zin.",
        "en": "The certificate in this backup has expired (valid until {valid_until}); restoring it is no use.",
    },
    "restore.refused.expired.next": {
        "nl": "Installeer het opnieuw met uw gebruikersnummer en pincode (zorgcert install). Er is niets "
        "veranderd.",
        "en": "Reinstall it with your user number and PIN (zorgcert install). Nothing was changed.",
    },
    "restore.refused.revoked": {
        "nl": "Het certificaat in deze back-up is ingetrokken door de uitgever.",
        "en": "The certificate in this backup has been revoked by the issuer.",
    },
    "restore.refused.revoked.next": {
        "nl": "Een ingetrokken certificaat werkt nergens meer. Vraag de contactpersoon van uw praktijk om een "
        "nieuw certificaat. Er is niets veranderd.",
        "en": "A revoked certificate no longer works anywhere. Ask your practice's contact person for a new "
        "certificate. Nothing was changed.",
    },
    "restore.refused.older": {
        "nl": "Deze back-up bevat een ouder certificaat (geldig tot {backup_until}) dan het certificaat dat "
        "ZorgCert hier al heeft (geldig tot {wallet_until}).",
        "en": "This backup holds an older certificate (valid until {backup_until}) than the one ZorgCert "
        "already has here (valid until {wallet_until}).",
    },
    "restore.refused.older.next": {
        "nl": "Zet de back-up terug die u na de laatste installatie of vernieuwing maakte. Er is niets veranderd.",
        "en": "Restore the backup you made after the last install or renewal. Nothing was changed.",
    },
    "restore.refused.key-mismatch": {
        "nl": "De sleutel en het certificaat in deze back-up horen niet bij elkaar.",
        "en": "The key and the certificate in this backup do not belong together.",
    },
    "restore.refused.key-mismatch.next": {
        "nl": "Gebruik een andere back-up. Er is niets veranderd.",
        "en": "Use another backup. Nothing was changed.",
    },
    "restore.refused.not-issued-here": {
        "nl": "De ingestelde uitgever kent het certificaat in deze back-up niet.",
        "en": "The configured issuer does not know the certificate in this backup.",
    },
    "restore.refused.not-issued-here.next": {
        "nl": "Controleer of ZorgCert naar de juiste uitgever wijst (zorgcert config show). Er is niets veranderd.",
        "en": "Check that ZorgCert points at the right issuer (zorgcert config show). Nothing was changed.",
    },
    "restore.warn.unchecked": {
        "nl": "Let op: de uitgever was niet bereikbaar, dus ZorgCert kon niet nagaan of dit certificaat is "
        "ingetrokken. Dat wordt gecontroleerd bij de volgende vernieuwing.",
        "en": "Note: the issuer could not be reached, so ZorgCert could not check whether this certificate "
        "was revoked. That is checked at the next renewal.",
    },
    # --- the command line ---
    "cli.passphrase_prompt": {
        "nl": "Wachtwoordzin (wordt niet getoond): ",
        "en": "Passphrase (not shown): ",
    },
    "cli.passphrase_confirm": {
        "nl": "Typ de wachtwoordzin nog een keer: ",
        "en": "Type the passphrase again: ",
    },
    "cli.pfx_password_prompt": {
        "nl": "Wachtwoord voor het PFX-bestand (wordt niet getoond): ",
        "en": "Password for the PFX file (not shown): ",
    },
    "cli.backup_made": {
        "nl": "Back-up van {name} ({user_number}) opgeslagen in {path}, teruggelezen en gecontroleerd.",
        "en": "Backup of {name} ({user_number}) saved to {path}, read back and checked.",
    },
    "cli.backup_keep": {
        "nl": "Bewaar het bestand buiten deze computer (USB-stick of netwerkschijf) en de wachtwoordzin apart "
        "(wachtwoordkluis, of op papier in een kluis). Zonder de wachtwoordzin is de back-up onbruikbaar.",
        "en": "Keep the file off this computer (USB stick or network drive) and the passphrase separately "
        "(password manager, or on paper in a safe). Without the passphrase the backup is useless.",
    },
    "cli.backup_contents": {
        "nl": "Dit bestand bevat:\n  houder:           {name} ({organisation})\n"
        "  gebruikersnummer: {user_number}\n  serienummer:      {serial}\n"
        "  geldig tot:       {not_after}\n  back-up gemaakt:  {created_at}",
        "en": "This file holds:\n  holder:        {name} ({organisation})\n"
        "  user number:   {user_number}\n  serial number: {serial}\n"
        "  valid until:   {not_after}\n  backup made:   {created_at}",
    },
    "cli.restore_confirm": {"nl": "Terugzetten? [j/N] ", "en": "Restore? [y/N] "},
    "cli.restored": {
        "nl": "Certificaat van {name} teruggezet in {where}; geldig tot {until}.",
        "en": "Certificate of {name} restored to {where}; valid until {until}.",
    },
    "cli.exported": {
        "nl": "PFX-bestand ({profile}) opgeslagen in {path}.",
        "en": "PFX file ({profile}) saved to {path}.",
    },
    "cli.export_legacy_warning": {
        "nl": "Let op: het profiel 'legacy' gebruikt 3DES en SHA-1, die als zwak gelden. Gebruik het alleen "
        "voor oude Windows- of Java-software die 'modern' niet kan lezen, en verwijder het bestand na het "
        "importeren.",
        "en": "Note: the 'legacy' profile uses 3DES and SHA-1, which are considered weak. Use it only for old "
        "Windows or Java software that cannot read 'modern', and delete the file after importing.",
    },
    "cli.export_not_backup": {
        "nl": "Een PFX-bestand is geen back-up: maak daarvoor zorgcert backup.",
        "en": "A PFX file is not a backup: use zorgcert backup for that.",
    },
    "cli.backup_missing": {
        "nl": "geen back-up sinds de laatste installatie of vernieuwing: maak er een met "
        "zorgcert backup {user_number} --out BESTAND",
        "en": "no backup since the last install or renewal: make one with "
        "zorgcert backup {user_number} --out FILE",
    },
    # --- progress stages (for the desktop app) ---
    "backup.stage.read": {"nl": "Back-up lezen", "en": "Reading the backup"},
    "backup.stage.kdf": {
        "nl": "Sleutel afleiden uit de wachtwoordzin",
        "en": "Deriving the key from the passphrase",
    },
    "backup.stage.write": {"nl": "Bestand schrijven", "en": "Writing the file"},
    "backup.stage.verify": {"nl": "Teruglezen en controleren", "en": "Reading back and checking"},
    "backup.stage.check": {"nl": "Certificaat controleren bij de uitgever", "en": "Checking with the issuer"},
    "backup.stage.install": {"nl": "Installeren in de certificaatopslag", "en": "Installing into the store"},
    "backup.stage.record": {"nl": "Vastleggen", "en": "Recording"},
    # --- restore refusals: a backup is hostile input until checked ---
    "restore.refused.user-number": {
        "nl": "Deze back-up noemt geen geldig gebruikersnummer, of een ander gebruikersnummer dan dat van het "
        "certificaat erin. Het bestand is gewijzigd of niet door ZorgCert gemaakt.",
        "en": "This backup does not name a valid user number, or names another user number than the "
        "certificate inside. The file has been altered or was not made by ZorgCert.",
    },
    "restore.refused.user-number.next": {
        "nl": "Gebruik een andere kopie van uw back-up. Er is niets veranderd.",
        "en": "Use another copy of your backup. Nothing was changed.",
    },
    "restore.refused.not-from-issuer": {
        "nl": "Het certificaat in deze back-up is niet uitgegeven door de uitgever die ZorgCert vertrouwt "
        "(het CA-bestand {ca_file}). ZorgCert zet het niet terug.",
        "en": "The certificate in this backup was not issued by the issuer ZorgCert trusts (the CA file "
        "{ca_file}). ZorgCert does not restore it.",
    },
    "restore.refused.not-from-issuer.next": {
        "nl": "Gebruik de back-up van uw eigen certificaat, of controleer of ZorgCert naar de juiste uitgever "
        "wijst (zorgcert config show). Er is niets veranderd.",
        "en": "Use the backup of your own certificate, or check that ZorgCert points at the right issuer "
        "(zorgcert config show). Nothing was changed.",
    },
    "restore.refused.superseded": {
        "nl": "Er bestaat een nieuwer certificaat voor gebruikersnummer {user_number}: het certificaat in deze "
        "back-up is vervangen (bijvoorbeeld bij een vernieuwing) en werkt niet meer.",
        "en": "A newer certificate exists for user number {user_number}: the certificate in this backup has "
        "been replaced (for example by a renewal) and no longer works.",
    },
    "restore.refused.superseded.next": {
        "nl": "Zet de back-up terug die u na de laatste vernieuwing of installatie maakte. Heeft u die niet, "
        "vraag Support dan het kwijtgeraakte certificaat in te trekken en installeer daarna opnieuw met uw "
        "gebruikersnummer en pincode. Er is niets veranderd.",
        "en": "Restore the backup you made after the last renewal or install. If you have none, ask Support to "
        "revoke the lost certificate, then install again with your user number and PIN. Nothing was changed.",
    },
    "error.backup.file_exists": {
        "nl": "Het bestand {path} bestaat al.",
        "en": "The file {path} already exists.",
    },
    "error.backup.file_exists.next": {
        "nl": "Kies een andere bestandsnaam. Wilt u het bestaande bestand echt vervangen, zeg dat dan (op de "
        "opdrachtregel met --force). Er is niets veranderd.",
        "en": "Choose another file name. If you really want to replace the existing file, say so (on the "
        "command line with --force). Nothing was changed.",
    },
}
