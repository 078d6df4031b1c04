"""Every sentence of the desktop app, Dutch first and English second; registered with ``app.i18n``.

The widgets call ``t(key, lang, **params)`` from here (the same function as ``app.i18n.t``),
so a test can walk every page in both languages and find no key left untranslated.
"""

from __future__ import annotations

from app import i18n
from app.i18n import t

__all__ = ["MESSAGES", "t"]

MESSAGES: dict[str, dict[str, str]] = {
    # --- window, tabs, buttons ---
    "ui.window.title": {"nl": "ZorgCert — certificaten", "en": "ZorgCert — certificates"},
    "ui.tab.certificates": {"nl": "Mijn certificaten", "en": "My certificates"},
    "ui.tab.support": {"nl": "Support", "en": "Support"},
    "ui.tab.settings": {"nl": "Instellingen", "en": "Settings"},
    "ui.button.back": {"nl": "< Terug", "en": "< Back"},
    "ui.button.next": {"nl": "Volgende >", "en": "Next >"},
    "ui.button.install": {"nl": "Installeren", "en": "Install"},
    "ui.button.finish": {"nl": "Klaar", "en": "Finish"},
    "ui.button.cancel": {"nl": "Annuleren", "en": "Cancel"},
    "ui.button.browse": {"nl": "Kiezen…", "en": "Browse…"},
    "ui.wizard.step": {"nl": "Stap {n} van {total}", "en": "Step {n} of {total}"},
    "ui.no_display": {
        "nl": "Er is geen beeldscherm (geen grafische sessie). Start ZorgCert op een bureaublad, of gebruik de "
        "opdrachtregel: zorgcert status, zorgcert install.",
        "en": "There is no display (no graphical session). Start ZorgCert on a desktop, or use the command "
        "line: zorgcert status, zorgcert install.",
    },
    # --- dashboard ---
    "ui.dashboard.heading": {"nl": "Mijn certificaten", "en": "My certificates"},
    "ui.dashboard.install": {"nl": "Certificaat installeren", "en": "Install a certificate"},
    "ui.dashboard.restore": {"nl": "Back-up terugzetten", "en": "Restore a backup"},
    "ui.dashboard.refresh": {"nl": "Bijwerken", "en": "Refresh"},
    "ui.dashboard.loading": {"nl": "Certificaten worden gelezen…", "en": "Reading certificates…"},
    "ui.dashboard.empty": {
        "nl": "Er staan nog geen certificaten op deze computer.\nKies 'Certificaat installeren' en houd uw "
        "gebruikersnummer en pincode bij de hand.",
        "en": "There are no certificates on this computer yet.\nChoose 'Install a certificate' and have your "
        "user number and PIN at hand.",
    },
    "ui.card.number": {"nl": "Gebruikersnummer", "en": "User number"},
    "ui.card.where": {"nl": "Geïnstalleerd in", "en": "Installed in"},
    "ui.card.until": {"nl": "Geldig tot", "en": "Valid until"},
    "ui.card.left": {"nl": "Nog geldig", "en": "Time left"},
    "ui.card.backup": {"nl": "Laatste back-up", "en": "Last backup"},
    "ui.card.backup_none": {
        "nl": "nog geen back-up — maak er nu een",
        "en": "no backup yet — make one now",
    },
    "ui.card.backup_old": {
        "nl": "ouder dan dit certificaat; maak een nieuwe",
        "en": "older than this certificate; make a new one",
    },
    "ui.card.missing": {"nl": "ontbreekt", "en": "missing"},
    "ui.card.nowhere": {"nl": "nergens", "en": "nowhere"},
    "ui.card.state": {"nl": "Status: {state}", "en": "State: {state}"},
    "ui.card.name": {"nl": "Certificaat van {name}, {state}", "en": "Certificate of {name}, {state}"},
    "ui.action.renew": {"nl": "Vernieuwen", "en": "Renew"},
    "ui.action.reinstall": {"nl": "Opnieuw installeren", "en": "Reinstall"},
    "ui.action.backup": {"nl": "Back-up maken", "en": "Make a backup"},
    "ui.action.restore": {"nl": "Back-up terugzetten", "en": "Restore backup"},
    "ui.action.support": {"nl": "Support", "en": "Support"},
    "ui.why.renew_not_open": {"nl": "Vernieuwen kan vanaf {opens_at}.", "en": "Renewal opens on {opens_at}."},
    "ui.why.renew_expired": {
        "nl": "Verlopen certificaten vernieuwt u niet: installeer het opnieuw met gebruikersnummer en pincode.",
        "en": "An expired certificate is not renewed: reinstall it with user number and PIN.",
    },
    "ui.why.renew_lost": {
        "nl": "Het certificaat ontbreekt op deze computer: zet eerst de back-up terug.",
        "en": "The certificate is missing on this computer: restore the backup first.",
    },
    "ui.why.renew_revoked": {
        "nl": "Een ingetrokken certificaat kan niet worden vernieuwd.",
        "en": "A revoked certificate cannot be renewed.",
    },
    "ui.why.reinstall": {
        "nl": "Opnieuw installeren kan pas als het certificaat verlopen is.",
        "en": "Reinstalling is possible once the certificate has expired.",
    },
    "ui.why.backup": {
        "nl": "Alleen van een geldig certificaat op deze computer kunt u een back-up maken.",
        "en": "You can only back up a valid certificate on this computer.",
    },
    "ui.why.restore": {
        "nl": "Terugzetten is voor een certificaat dat op deze computer ontbreekt.",
        "en": "Restoring is for a certificate that is missing on this computer.",
    },
    "ui.why.support": {
        "nl": "Support is nodig bij een verloren of ingetrokken certificaat.",
        "en": "Support is needed for a lost or revoked certificate.",
    },
    "ui.where.chromium": {"nl": "Chrome / Chromium (NSS-database)", "en": "Chrome / Chromium (NSS database)"},
    "ui.where.firefox": {"nl": "Firefox", "en": "Firefox"},
    "ui.where.nss": {"nl": "NSS-database {location}", "en": "NSS database {location}"},
    "ui.where.folder": {"nl": "map {location}", "en": "folder {location}"},
    "ui.where.windows_user": {
        "nl": "Windows-certificaatopslag (huidige gebruiker)",
        "en": "Windows certificate store (current user)",
    },
    "ui.where.windows_machine": {
        "nl": "Windows-certificaatopslag (computer)",
        "en": "Windows certificate store (computer)",
    },
    "ui.where.macos": {"nl": "macOS-sleutelhanger", "en": "macOS keychain"},
    "ui.where.other": {"nl": "{store} {location}", "en": "{store} {location}"},
    "ui.renew.busy": {"nl": "Certificaat van {name} wordt vernieuwd…", "en": "Renewing the certificate of {name}…"},
    "ui.renew.done": {
        "nl": "Het certificaat van {name} is vernieuwd en geldig tot {until}. Maak nu een nieuwe back-up: de "
        "oude bevat het oude certificaat.",
        "en": "The certificate of {name} was renewed and is valid until {until}. Make a new backup now: the "
        "old one holds the old certificate.",
    },
    "ui.offer.restore": {"nl": "Back-up terugzetten", "en": "Restore backup"},
    "ui.offer.support": {"nl": "Naar Support", "en": "Go to Support"},
    "ui.offer.doctor": {"nl": "Controles uitvoeren", "en": "Run the checks"},
    "ui.offer.retry": {"nl": "Opnieuw proberen", "en": "Try again"},
    # --- install wizard ---
    "ui.install.title": {"nl": "Certificaat installeren", "en": "Install a certificate"},
    "ui.welcome.heading": {"nl": "Welkom", "en": "Welcome"},
    "ui.welcome.intro": {
        "nl": "Met deze stappen zet u uw certificaat op deze computer. De sleutel wordt hier gemaakt en verlaat "
        "deze computer nooit onversleuteld.",
        "en": "These steps put your certificate on this computer. The key is made here and never leaves this "
        "computer unencrypted.",
    },
    "ui.welcome.need": {
        "nl": "<b>U heeft nodig:</b><ul><li>de <b>e-mail</b> van de uitgever met uw <b>gebruikersnummer</b> "
        "(14 cijfers);</li><li>de <b>brief</b> of het bericht in de <b>Berichtenbox</b> met uw "
        "<b>pincode</b>.</li></ul>",
        "en": "<b>You need:</b><ul><li>the issuer's <b>e-mail</b> with your <b>user number</b> (14 digits);"
        "</li><li>the <b>letter</b> or the <b>message box</b> message with your <b>PIN</b>.</li></ul>",
    },
    "ui.welcome.never_asks": {
        "nl": "De uitgever en Support vragen nooit naar uw pincode, ook niet per telefoon of e-mail. Typ hem "
        "alleen hier in.",
        "en": "The issuer and Support never ask for your PIN, not by phone or e-mail either. Type it only here.",
    },
    "ui.welcome.time": {
        "nl": "Het installeren duurt ongeveer een minuut. Daarna maakt u een back-up.",
        "en": "Installing takes about a minute. Afterwards you make a backup.",
    },
    "ui.kind.heading": {"nl": "Soort certificaat", "en": "Kind of certificate"},
    "ui.kind.intro": {
        "nl": "Welk certificaat installeert u? De e-mail van de uitgever noemt het.",
        "en": "Which certificate are you installing? The issuer's e-mail says.",
    },
    "ui.kind.personal": {"nl": "Persoonlijk certificaat", "en": "Personal certificate"},
    "ui.kind.personal.explain": {
        "nl": "Op uw naam; om in te loggen op de website van de uitgever. Komt in de certificaatopslag van uw "
        "eigen gebruikersaccount, waar de browser het vindt.",
        "en": "In your name; for logging in to the issuer's website. Goes into your own user account's "
        "certificate store, where the browser finds it.",
    },
    "ui.kind.system": {"nl": "Systeemcertificaat", "en": "System certificate"},
    "ui.kind.system.explain": {
        "nl": "Koppelt uw praktijksoftware aan de webservices (controle op verzekeringsrecht, declaraties). Komt "
        "in een beveiligde map of de certificaatopslag van de computer, waar die software het leest.",
        "en": "Links your practice software to the web services (insurance checks, claims). Goes into a "
        "protected folder or the computer's certificate store, where that software reads it.",
    },
    "ui.kind.where": {"nl": "Waar komt het te staan?", "en": "Where will it be installed?"},
    "ui.kind.choose": {"nl": "Kies de soort certificaat.", "en": "Choose the kind of certificate."},
    "ui.kind.folder": {"nl": "Map", "en": "Folder"},
    "ui.kind.folder.placeholder": {
        "nl": "de map waar uw praktijksoftware het certificaat leest",
        "en": "the folder your practice software reads the certificate from",
    },
    "ui.kind.folder_needed": {"nl": "Kies een map.", "en": "Choose a folder."},
    "ui.kind.browse.name": {"nl": "Map kiezen", "en": "Choose folder"},
    "ui.store.nss": {
        "nl": "Certificaatopslag van Chrome, Chromium en Firefox (aanbevolen)",
        "en": "Certificate store of Chrome, Chromium and Firefox (recommended)",
    },
    "ui.store.windows_user": {
        "nl": "Windows-certificaatopslag van uw gebruikersaccount (aanbevolen)",
        "en": "Windows certificate store of your user account (recommended)",
    },
    "ui.store.windows_machine": {
        "nl": "Windows-certificaatopslag van de computer (aanbevolen)",
        "en": "Windows certificate store of the computer (recommended)",
    },
    "ui.store.macos": {"nl": "macOS-sleutelhanger (aanbevolen)", "en": "macOS keychain (recommended)"},
    "ui.store.files_default": {
        "nl": "Beveiligde map van ZorgCert (aanbevolen)",
        "en": "ZorgCert's protected folder (recommended)",
    },
    "ui.store.folder": {"nl": "Een map die ik kies:", "en": "A folder I choose:"},
    "ui.credentials.heading": {"nl": "Gebruikersnummer en pincode", "en": "User number and PIN"},
    "ui.credentials.intro": {
        "nl": "Neem het gebruikersnummer over uit de e-mail en de pincode uit de brief of de Berichtenbox.",
        "en": "Copy the user number from the e-mail and the PIN from the letter or the message box.",
    },
    "ui.credentials.number": {"nl": "Gebruikersnummer", "en": "User number"},
    "ui.credentials.number.placeholder": {"nl": "14 cijfers, uit de e-mail", "en": "14 digits, from the e-mail"},
    "ui.credentials.pin": {"nl": "Pincode", "en": "PIN"},
    "ui.credentials.pin.placeholder": {"nl": "uit de brief of de Berichtenbox", "en": "from the letter or message box"},
    "ui.credentials.pin.description": {
        "nl": "De pincode wordt niet getoond en nergens bewaard.",
        "en": "The PIN is not shown and not stored anywhere.",
    },
    "ui.credentials.caps_lock": {"nl": "Let op: Caps Lock staat aan.", "en": "Note: Caps Lock is on."},
    "ui.credentials.show_pin": {"nl": "Pincode tonen", "en": "Show PIN"},
    "ui.credentials.pin_safety": {
        "nl": "De pincode gaat alleen naar de uitgever, over een beveiligde verbinding, en wordt niet bewaard. "
        "Na vijf onjuiste pincodes wordt het gebruikersnummer geblokkeerd.",
        "en": "The PIN goes only to the issuer, over a secure connection, and is not stored. After five wrong "
        "PINs the user number is blocked.",
    },
    "ui.number.digits_only": {
        "nl": "Een gebruikersnummer bestaat alleen uit cijfers.",
        "en": "A user number consists of digits only.",
    },
    "ui.number.missing": {"nl": "Nog {count} cijfer(s) te gaan.", "en": "{count} more digit(s) to go."},
    "ui.number.too_long": {
        "nl": "{count} cijfer(s) te veel: een gebruikersnummer heeft 14 cijfers.",
        "en": "{count} digit(s) too many: a user number has 14 digits.",
    },
    "ui.number.typo": {
        "nl": "Het controlecijfer (het laatste cijfer) klopt niet: er zit een tikfout in het nummer. Controleer "
        "het met de e-mail.",
        "en": "The check digit (the last digit) does not match: the number has a typo. Check it against the "
        "e-mail.",
    },
    "ui.number.needed": {"nl": "Vul uw gebruikersnummer in.", "en": "Enter your user number."},
    "ui.pin.needed": {"nl": "Vul uw pincode in.", "en": "Enter your PIN."},
    "ui.progress.heading": {"nl": "Bezig met installeren", "en": "Installing"},
    "ui.progress.intro": {
        "nl": "Dit duurt meestal minder dan een minuut. Tot het certificaat is opgehaald kunt u veilig annuleren.",
        "en": "This usually takes less than a minute. Until the certificate has been fetched you can safely cancel.",
    },
    "ui.progress.bar": {"nl": "Voortgang van de installatie", "en": "Installation progress"},
    "ui.progress.starting": {"nl": "Starten…", "en": "Starting…"},
    "ui.progress.stopping": {
        "nl": "Stoppen… er wordt niets veranderd.",
        "en": "Stopping… nothing will be changed.",
    },
    "ui.progress.done": {
        "nl": "Het certificaat is geïnstalleerd en teruggelezen.",
        "en": "The certificate is installed and read back.",
    },
    "ui.stage.contact": {"nl": "Verbinding maken met de uitgever", "en": "Connecting to the issuer"},
    "ui.stage.key": {"nl": "Sleutel maken op deze computer", "en": "Making the key on this computer"},
    "ui.stage.enroll": {"nl": "Certificaat ophalen", "en": "Fetching the certificate"},
    "ui.stage.install": {"nl": "Installeren en teruglezen", "en": "Installing and reading back"},
    "ui.stage.cleanup": {"nl": "Afronden", "en": "Finishing"},
    "ui.stage.contact.busy": {"nl": "Verbinding maken met de uitgever…", "en": "Connecting to the issuer…"},
    "ui.stage.key.busy": {"nl": "Sleutel maken…", "en": "Making the key…"},
    "ui.stage.enroll.busy": {"nl": "Certificaat ophalen bij de uitgever…", "en": "Fetching the certificate…"},
    "ui.stage.install.busy": {"nl": "Installeren en teruglezen…", "en": "Installing and reading back…"},
    "ui.stage.cleanup.busy": {"nl": "Oude certificaat opruimen…", "en": "Removing the old certificate…"},
    "ui.ibackup.heading": {"nl": "Back-up maken", "en": "Make a backup"},
    "ui.ibackup.intro": {
        "nl": "Gaat deze computer kapot, dan krijgt u een nog geldig certificaat alleen terug met deze back-up. "
        "Bewaar het bestand op een USB-stick of netwerkschijf, niet alleen op deze computer.",
        "en": "If this computer breaks, a still-valid certificate can only be recovered with this backup. Keep "
        "the file on a USB stick or network drive, not only on this computer.",
    },
    "ui.ibackup.skip": {"nl": "Nu geen back-up maken", "en": "Do not make a backup now"},
    "ui.ibackup.skip_warning": {
        "nl": "Zonder back-up kunt u een verloren certificaat dat nog geldig is niet zelf terugzetten en ook "
        "niet opnieuw installeren. Dan moet Support het intrekken en begint u opnieuw.",
        "en": "Without a backup you cannot restore a lost certificate that is still valid, nor reinstall it. "
        "Support then has to revoke it and you start over.",
    },
    "ui.ibackup.skip_confirm": {
        "nl": "Ik begrijp dit en maak later zelf een back-up",
        "en": "I understand and will make a backup later myself",
    },
    "ui.backup.make_or_skip": {
        "nl": "Maak een back-up, of kies bewust om dat later te doen.",
        "en": "Make a backup, or knowingly choose to do it later.",
    },
    "ui.done.heading": {"nl": "Klaar", "en": "Done"},
    "ui.done.installed": {
        "nl": "Het certificaat van {name} is geïnstalleerd. Het is geldig tot {until}.",
        "en": "The certificate of {name} is installed. It is valid until {until}.",
    },
    "ui.done.details": {
        "nl": "Gebruikersnummer: {number}<br>Geldig tot: <b>{until}</b><br>Geïnstalleerd in:<br>{where}",
        "en": "User number: {number}<br>Valid until: <b>{until}</b><br>Installed in:<br>{where}",
    },
    "ui.done.backup_made": {
        "nl": "De back-up is gemaakt. ZorgCert herinnert u op tijd aan vernieuwen.",
        "en": "The backup was made. ZorgCert will remind you in time to renew.",
    },
    "ui.done.backup_skipped": {
        "nl": "U heeft nog geen back-up. Maak er een via 'Mijn certificaten' > 'Back-up maken'.",
        "en": "You have no backup yet. Make one via 'My certificates' > 'Make a backup'.",
    },
    # --- backup form and wizard ---
    "ui.bform.which": {"nl": "Back-up van het certificaat van {name} ({number}).", "en":
                       "Backup of the certificate of {name} ({number})."},
    "ui.bform.file": {"nl": "Bestand", "en": "File"},
    "ui.bform.browse.name": {"nl": "Bestand voor de back-up kiezen", "en": "Choose the backup file"},
    "ui.bform.filter": {"nl": "ZorgCert-back-ups (*.zcbackup)", "en": "ZorgCert backups (*.zcbackup)"},
    "ui.bform.passphrase": {"nl": "Wachtwoordzin", "en": "Passphrase"},
    "ui.bform.passphrase.placeholder": {
        "nl": "bijvoorbeeld vier losse, ongewone woorden",
        "en": "for example four unrelated, unusual words",
    },
    "ui.bform.again": {"nl": "Wachtwoordzin nogmaals", "en": "Passphrase again"},
    "ui.bform.hint": {
        "nl": "Zonder deze wachtwoordzin is de back-up onbruikbaar, ook voor Support. Schrijf hem op en bewaar hem "
        "apart van het bestand.",
        "en": "Without this passphrase the backup is useless, to Support too. Write it down and keep it apart "
        "from the file.",
    },
    "ui.bform.make": {"nl": "Back-up maken", "en": "Make backup"},
    "ui.bform.busy": {"nl": "Back-up wordt gemaakt", "en": "Making the backup"},
    "ui.bform.made": {"nl": "De back-up is opgeslagen in {path}.", "en": "The backup was saved in {path}."},
    "ui.meter.name": {"nl": "Sterkte van de wachtwoordzin", "en": "Passphrase strength"},
    "ui.meter.strong": {"nl": "Sterk genoeg.", "en": "Strong enough."},
    "ui.meter.crack_time": {
        "nl": "Hoe lang raden duurt: {time}",
        "en": "How long guessing takes: {time}",
    },
    "ui.bwiz.title": {"nl": "Back-up maken of terugzetten", "en": "Make or restore a backup"},
    "ui.bwiz.choose.heading": {"nl": "Wat wilt u doen?", "en": "What would you like to do?"},
    "ui.bwiz.choose.intro": {
        "nl": "Een back-up is een versleuteld bestand met uw certificaat en sleutel.",
        "en": "A backup is an encrypted file with your certificate and key.",
    },
    "ui.bwiz.mode.make": {"nl": "Een back-up maken", "en": "Make a backup"},
    "ui.bwiz.mode.restore": {
        "nl": "Een back-up terugzetten (nieuwe of herstelde computer)",
        "en": "Restore a backup (new or repaired computer)",
    },
    "ui.bwiz.certificate": {"nl": "Certificaat", "en": "Certificate"},
    "ui.bwiz.certificate.item": {"nl": "{name} ({number})", "en": "{name} ({number})"},
    "ui.bwiz.choose_certificate": {"nl": "Kies een certificaat.", "en": "Choose a certificate."},
    "ui.bwiz.nothing_to_back_up": {
        "nl": "Er is op deze computer geen geldig certificaat om te back-uppen.",
        "en": "There is no valid certificate on this computer to back up.",
    },
    "ui.bwiz.why": {
        "nl": "Maak na elke installatie en elke vernieuwing een nieuwe back-up: een oudere back-up bevat een "
        "ouder certificaat.",
        "en": "Make a new backup after every install and every renewal: an older backup holds an older "
        "certificate.",
    },
    "ui.bwiz.make.heading": {"nl": "Back-up maken", "en": "Make a backup"},
    "ui.bwiz.make.intro": {
        "nl": "Kies waar het bestand komt en bedenk een sterke wachtwoordzin.",
        "en": "Choose where the file goes and think of a strong passphrase.",
    },
    "ui.bwiz.test.heading": {"nl": "Test of terugzetten werkt", "en": "Check that restoring works"},
    "ui.bwiz.test.intro": {
        "nl": "Test nu of u de back-up later echt kunt terugzetten: typ de wachtwoordzin nog een keer, uit uw hoofd "
        "of van uw papiertje. Er wordt niets geïnstalleerd.",
        "en": "Test now that you can really restore the backup later: type the passphrase once more, from "
        "memory or from your note. Nothing is installed.",
    },
    "ui.bwiz.test.passphrase": {"nl": "Wachtwoordzin", "en": "Passphrase"},
    "ui.bwiz.test.run": {"nl": "Testen", "en": "Test"},
    "ui.bwiz.test.busy": {"nl": "De back-up wordt geopend", "en": "Opening the backup"},
    "ui.bwiz.test.passed": {
        "nl": "Geslaagd: de back-up opent met deze wachtwoordzin en bevat het certificaat van {name} ({number}), "
        "geldig tot {until}.",
        "en": "Passed: the backup opens with this passphrase and holds the certificate of {name} ({number}), "
        "valid until {until}.",
    },
    "ui.bwiz.test.skip": {"nl": "Test overslaan >", "en": "Skip test >"},
    "ui.bwiz.pick.heading": {"nl": "Back-up kiezen", "en": "Choose the backup"},
    "ui.bwiz.pick.intro": {
        "nl": "Kies het back-upbestand (.zcbackup). ZorgCert laat zien wiens certificaat erin zit.",
        "en": "Choose the backup file (.zcbackup). ZorgCert shows whose certificate is in it.",
    },
    "ui.bwiz.pick.file": {"nl": "Back-upbestand", "en": "Backup file"},
    "ui.bwiz.pick.placeholder": {"nl": "pad naar het .zcbackup-bestand", "en": "path to the .zcbackup file"},
    "ui.bwiz.pick.browse.name": {"nl": "Back-upbestand kiezen", "en": "Choose the backup file"},
    "ui.bwiz.pick.info": {
        "nl": "Certificaat van <b>{name}</b> ({number})<br>Geldig tot: {until}<br>Back-up gemaakt: {made}",
        "en": "Certificate of <b>{name}</b> ({number})<br>Valid until: {until}<br>Backup made: {made}",
    },
    "ui.bwiz.restore.heading": {"nl": "Terugzetten", "en": "Restore"},
    "ui.bwiz.restore.intro": {
        "nl": "Typ de wachtwoordzin van deze back-up. Het certificaat komt terug in de certificaatopslag en wordt "
        "teruggelezen.",
        "en": "Type the passphrase of this backup. The certificate goes back into the certificate store and is "
        "read back.",
    },
    "ui.bwiz.restore.passphrase": {"nl": "Wachtwoordzin", "en": "Passphrase"},
    "ui.bwiz.restore.run": {"nl": "Terugzetten", "en": "Restore"},
    "ui.bwiz.restore.busy": {"nl": "Bezig met terugzetten", "en": "Restoring"},
    "ui.bwiz.restore.done": {
        "nl": "Het certificaat van {name} staat weer op deze computer, geldig tot {until}.",
        "en": "The certificate of {name} is back on this computer, valid until {until}.",
    },
    "ui.restore.stage.busy": {"nl": "Bezig…", "en": "Working…"},
    "ui.restore.stage.read": {"nl": "Back-up lezen…", "en": "Reading the backup…"},
    "ui.restore.stage.kdf": {"nl": "Wachtwoordzin controleren…", "en": "Checking the passphrase…"},
    "ui.restore.stage.check": {"nl": "Nagaan bij de uitgever…", "en": "Checking with the issuer…"},
    "ui.restore.stage.install": {"nl": "Installeren en teruglezen…", "en": "Installing and reading back…"},
    "ui.restore.stage.record": {"nl": "Vastleggen…", "en": "Recording…"},
    "ui.bwiz.finished.heading": {"nl": "Klaar", "en": "Done"},
    "ui.bwiz.finished.made": {"nl": "De back-up staat in {path}.", "en": "The backup is in {path}."},
    "ui.bwiz.finished.made.advice": {
        "nl": "Zet een kopie op een USB-stick of netwerkschijf en bewaar de wachtwoordzin apart.",
        "en": "Put a copy on a USB stick or network drive and keep the passphrase separately.",
    },
    "ui.bwiz.finished.restored": {"nl": "Het certificaat is teruggezet.", "en": "The certificate was restored."},
    "ui.bwiz.finished.restored.advice": {
        "nl": "U kunt weer inloggen. Vernieuwen kan zodra de vernieuwingsperiode begint; ZorgCert herinnert u.",
        "en": "You can log in again. Renewal opens with the renewal window; ZorgCert will remind you.",
    },
    # --- support page ---
    "ui.support.heading": {"nl": "Support", "en": "Support"},
    "ui.support.intro": {
        "nl": "Loopt er iets mis? Voer de controles uit; bij elke fout staat wat u kunt doen. Support vraagt "
        "nooit naar uw pincode of wachtwoordzin.",
        "en": "Something wrong? Run the checks; every failure says what you can do. Support never asks for "
        "your PIN or passphrase.",
    },
    "ui.support.checks": {"nl": "Controles", "en": "Checks"},
    "ui.support.run": {"nl": "Controles uitvoeren", "en": "Run the checks"},
    "ui.support.running": {"nl": "Bezig met controleren…", "en": "Checking…"},
    "ui.support.busy": {"nl": "Controles lopen", "en": "Checks running"},
    "ui.support.all_pass": {"nl": "Alles in orde.", "en": "All is well."},
    "ui.support.some_fail": {
        "nl": "{count} van de {total} controles gaven een fout; zie hieronder wat u kunt doen.",
        "en": "{count} of {total} checks failed; see below what you can do.",
    },
    "ui.support.next": {"nl": "Wat nu: {next}", "en": "What now: {next}"},
    "ui.support.contact": {"nl": "Wie is mijn contactpersoon?", "en": "Who is my contact person?"},
    "ui.support.contact.intro": {
        "nl": "De contactpersoon van uw praktijk vraagt certificaten aan, regelt autorisaties en heft "
        "blokkades op. ZorgCert vraagt het de uitgever met uw certificaat.",
        "en": "Your practice's contact person requests certificates, manages authorisations and unblocks "
        "users. ZorgCert asks the issuer with your certificate.",
    },
    "ui.support.contact.ask": {"nl": "Opvragen", "en": "Look up"},
    "ui.support.contact.asking": {"nl": "Bezig met opvragen…", "en": "Looking up…"},
    "ui.support.contact.is": {
        "nl": "De contactpersoon van {organisation} is {name} ({email}).",
        "en": "The contact person of {organisation} is {name} ({email}).",
    },
    "ui.support.contact.you": {
        "nl": "U bent zelf de contactpersoon van {organisation}.",
        "en": "You are the contact person of {organisation} yourself.",
    },
    "ui.support.contact.none": {
        "nl": "{organisation} heeft nog geen contactpersoon; neem contact op met Support.",
        "en": "{organisation} has no contact person yet; contact Support.",
    },
    "ui.support.file": {"nl": "Supportbestand maken", "en": "Make a support file"},
    "ui.support.file.intro": {
        "nl": "Een zip met logboeken, versies, de certificaatopslag en de uitkomst van de controles, voor "
        "Support. Pincodes, wachtwoordzinnen en sleutels worden eruit verwijderd.",
        "en": "A zip with logs, versions, the certificate store listing and the check results, for Support. "
        "PINs, passphrases and keys are removed from it.",
    },
    "ui.support.file.make": {"nl": "Supportbestand maken…", "en": "Make support file…"},
    "ui.support.file.filter": {"nl": "Zip-bestanden (*.zip)", "en": "Zip files (*.zip)"},
    "ui.support.file.made": {
        "nl": "Opgeslagen in {path}. Stuur dit bestand naar Support als zij erom vragen.",
        "en": "Saved in {path}. Send this file to Support when they ask for it.",
    },
    # --- settings ---
    "ui.settings.heading": {"nl": "Instellingen", "en": "Settings"},
    "ui.settings.general": {"nl": "Algemeen", "en": "General"},
    "ui.settings.language": {"nl": "Taal", "en": "Language"},
    "ui.settings.agent": {"nl": "ZorgCert-agent", "en": "ZorgCert agent"},
    "ui.settings.agent.explain": {
        "nl": "De agent staat als pictogram in het systeemvak, kleurt naar de toestand van uw certificaten en "
        "meldt zich 30, 14, 7 en 1 dag voor het verlopen, bij het verlopen en als vernieuwen mislukt.",
        "en": "The agent sits as an icon in the system tray, takes the colour of your certificates' state and "
        "speaks up 30, 14, 7 and 1 days before expiry, at expiry and when a renewal fails.",
    },
    "ui.settings.autostart": {"nl": "Agent starten bij het inloggen", "en": "Start the agent at login"},
    "ui.settings.autostart.where": {"nl": "Ingesteld via: {where}", "en": "Set through: {where}"},
    "ui.settings.autostart.unavailable": {
        "nl": "Automatisch starten is op dit systeem niet beschikbaar.",
        "en": "Starting automatically is not available on this system.",
    },
    "ui.settings.about": {"nl": "ZorgCert {version}", "en": "ZorgCert {version}"},
    # --- tray agent ---
    "ui.agent.open": {"nl": "ZorgCert openen", "en": "Open ZorgCert"},
    "ui.agent.renew": {"nl": "Nu vernieuwen", "en": "Renew now"},
    "ui.agent.backup": {"nl": "Back-up maken…", "en": "Make a backup…"},
    "ui.agent.quit": {"nl": "Afsluiten", "en": "Quit"},
    "ui.agent.tooltip": {"nl": "ZorgCert: {state}", "en": "ZorgCert: {state}"},
    "ui.agent.tooltip.none": {"nl": "ZorgCert: geen certificaten", "en": "ZorgCert: no certificates"},
    "ui.agent.renewed.title": {"nl": "Certificaat vernieuwd", "en": "Certificate renewed"},
    "ui.agent.no_tray": {
        "nl": "Er is geen systeemvak op dit bureaublad, dus de ZorgCert-agent kan geen pictogram tonen. "
        "Open ZorgCert zelf (zorgcert gui), of laat 'zorgcert agent --once' de herinneringen afdrukken.",
        "en": "This desktop has no system tray, so the ZorgCert agent cannot show an icon. Open ZorgCert "
        "yourself (zorgcert gui), or let 'zorgcert agent --once' print the reminders.",
    },
    "ui.agent.nothing_due": {"nl": "Geen herinneringen.", "en": "No reminders."},
    "ui.notify.soon.title": {"nl": "Certificaat verloopt binnenkort", "en": "Certificate expires soon"},
    "ui.notify.days": {
        "nl": "Het certificaat van {name} verloopt over {days} dagen, op {until}. Vernieuw het op tijd in "
        "ZorgCert.",
        "en": "The certificate of {name} expires in {days} days, on {until}. Renew it in time in ZorgCert.",
    },
    "ui.notify.one_day": {
        "nl": "Het certificaat van {name} verloopt binnen een dag, op {until}. Vernieuw het vandaag.",
        "en": "The certificate of {name} expires within a day, on {until}. Renew it today.",
    },
    "ui.notify.expired.title": {"nl": "Certificaat verlopen", "en": "Certificate expired"},
    "ui.notify.expired": {
        "nl": "Het certificaat van {name} is verlopen ({until}). Installeer het opnieuw met uw "
        "gebruikersnummer en pincode.",
        "en": "The certificate of {name} has expired ({until}). Reinstall it with your user number and PIN.",
    },
    "ui.notify.failed.title": {"nl": "Vernieuwen mislukt", "en": "Renewal failed"},
    "ui.notify.failed": {
        "nl": "Het certificaat van {name} is niet vernieuwd. {message} {next}",
        "en": "The certificate of {name} was not renewed. {message} {next}",
    },
    "ui.bform.overwrite.title": {"nl": "Bestand vervangen?", "en": "Replace the file?"},
    "ui.bform.overwrite.question": {
        "nl": "Het bestand {path} bestaat al. Wilt u het vervangen door deze back-up?",
        "en": "The file {path} already exists. Do you want to replace it with this backup?",
    },
    "ui.bform.overwrite.yes": {"nl": "Vervangen", "en": "Replace"},
    "ui.bform.overwrite.no": {"nl": "Niet vervangen", "en": "Do not replace"},
}

i18n.register(MESSAGES)
