"""Sentences for the demo command (zorgcert demo), Dutch first; registered by ``app.i18n``."""

MESSAGES: dict[str, dict[str, str]] = {
    # --- what the demo tells along the way ---
    "demo.folder": {
        "nl": "Demomap: {folder}",
        "en": "Demo folder: {folder}",
    },
    "demo.ca_new": {
        "nl": "Een nieuwe demo-uitgever is aangemaakt; zijn CA: {ca}",
        "en": "A new demo issuer was created; its CA: {ca}",
    },
    "demo.ca_reused": {
        "nl": "De demo-uitgever uit deze map wordt hergebruikt (CA: {ca}). Opnieuw beginnen: zorgcert demo --fresh",
        "en": "The demo issuer in this folder is reused (CA: {ca}). To start over: zorgcert demo --fresh",
    },
    "demo.durations.short": {
        "nl": "Korte looptijden: een certificaat is {validity} geldig, vernieuwen kan de laatste {renewal_window}, "
        "installeren moet binnen {install_window}.",
        "en": "Short durations: a certificate is valid for {validity}, renewal opens {renewal_window} before the "
        "end, install within {install_window}.",
    },
    "demo.durations.real": {
        "nl": "Echte looptijden: een certificaat is {validity} geldig, vernieuwen kan de laatste {renewal_window}, "
        "installeren moet binnen {install_window} (kortere looptijden: zorgcert demo --short).",
        "en": "Real durations: a certificate is valid for {validity}, renewal opens {renewal_window} before the "
        "end, install within {install_window} (shorter ones: zorgcert demo --short).",
    },
    "demo.mode.short": {"nl": "korte looptijden (--short)", "en": "short durations (--short)"},
    "demo.mode.real": {"nl": "echte looptijden", "en": "real durations"},
    "demo.listening": {
        "nl": "De demo-uitgever draait op {url} (alleen op deze computer); logboek: {log}",
        "en": "The demo issuer runs at {url} (on this computer only); log: {log}",
    },
    "demo.organisation": {
        "nl": "Demopraktijk: {org}, met contactpersoon {contact}.",
        "en": "Demo practice: {org}, with contact person {contact}.",
    },
    "demo.user_number": {
        "nl": "Gebruikersnummer van {name}: {user_number}",
        "en": "User number of {name}: {user_number}",
    },
    "demo.letter": {
        "nl": "De pincode staat in de brief: {letter}\n(Open de brief zelf, zoals een echte gebruiker; ZorgCert "
        "laat een pincode nooit zien.)",
        "en": "The PIN is in the letter: {letter}\n(Open the letter yourself, as a real user would; ZorgCert "
        "never shows a PIN.)",
    },
    "demo.mail": {
        "nl": "De e-mail met het gebruikersnummer: {mail}",
        "en": "The e-mail with the user number: {mail}",
    },
    "demo.isolated": {
        "nl": "De app bewaart de demo apart ({home}); het demo-certificaat komt in een eigen NSS-database "
        "({nssdb}), niet in uw browser. Uw eigen ZorgCert-instellingen blijven ongemoeid.",
        "en": "The app keeps the demo apart ({home}); the demo certificate goes into an NSS database of its own "
        "({nssdb}), not into your browser. Your own ZorgCert settings are left alone.",
    },
    "demo.not_isolated": {
        "nl": "De app bewaart de demo apart ({home}), maar het demo-certificaat komt in het certificaatarchief "
        "van uw gebruiker. Verwijder het na de demo.",
        "en": "The app keeps the demo apart ({home}), but the demo certificate goes into your user's certificate "
        "store. Remove it after the demo.",
    },
    "demo.no_display": {
        "nl": "Er is geen beeldscherm (DISPLAY en WAYLAND_DISPLAY zijn leeg): de demo gaat verder op de "
        "opdrachtregel.",
        "en": "There is no display (DISPLAY and WAYLAND_DISPLAY are empty): the demo carries on on the command "
        "line.",
    },
    "demo.no_ui": {
        "nl": "De app zelf kan hier niet worden geopend ({reason}): de demo gaat verder op de opdrachtregel.",
        "en": "The app itself cannot be opened here ({reason}): the demo carries on on the command line.",
    },
    "demo.gui_opened": {
        "nl": "ZorgCert wordt geopend. Kies Installeren en typ gebruikersnummer {user_number} en de pincode "
        "uit de brief.",
        "en": "ZorgCert is opening. Choose Install and type user number {user_number} and the PIN from the "
        "letter.",
    },
    "demo.cli_steps": {
        "nl": "Installeer het certificaat in een tweede terminal met deze opdracht (die vraagt om de pincode "
        "uit de brief):",
        "en": "Install the certificate in a second terminal with this command (it asks for the PIN from the "
        "letter):",
    },
    "demo.cli_then": {
        "nl": "Daarna toont deze opdracht het certificaat, de geldigheid en waar het staat:",
        "en": "Then this command shows the certificate, how long it is valid and where it is:",
    },
    "demo.stop_hint": {
        "nl": "Stoppen: Ctrl+C. Daarna draait er niets meer van de demo.",
        "en": "To stop: Ctrl+C. After that nothing of the demo keeps running.",
    },
    "demo.stopping": {"nl": "De demo stopt ...", "en": "Stopping the demo ..."},
    "demo.stopped": {
        "nl": "De demo is gestopt; de demo-uitgever draait niet meer.",
        "en": "The demo has stopped; the demo issuer is no longer running.",
    },
    "demo.app_closed": {"nl": "ZorgCert is gesloten; de demo stopt.", "en": "ZorgCert was closed; the demo stops."},
    "demo.app_failed": {
        "nl": "De app stopte onverwacht (code {code}); zie {log}. De demo-uitgever draait door.",
        "en": "The app stopped unexpectedly (code {code}); see {log}. The demo issuer keeps running.",
    },
    # --- why the demo could not start, and what to do ---
    "demo.issuer_failed": {
        "nl": "De demo-uitgever kon niet starten (stap {step}): {reason}",
        "en": "The demo issuer could not start (step {step}): {reason}",
    },
    "demo.issuer_failed.next": {
        "nl": "Kijk in {log}. Is de installatie compleet (scripts/setup)? Begin anders opnieuw met "
        "zorgcert demo --fresh.",
        "en": "Look in {log}. Is the installation complete (scripts/setup)? Otherwise start over with "
        "zorgcert demo --fresh.",
    },
    "demo.not_a_demo_folder": {
        "nl": "De map {folder} is geen demomap en niet leeg; de demo laat hem met rust.",
        "en": "The folder {folder} is not a demo folder and not empty; the demo leaves it alone.",
    },
    "demo.not_a_demo_folder.next": {
        "nl": "Kies een lege of nieuwe map met --folder.",
        "en": "Choose an empty or new folder with --folder.",
    },
    "demo.mode_mismatch": {
        "nl": "De demo in {folder} is gemaakt met {mode}.",
        "en": "The demo in {folder} was made with {mode}.",
    },
    "demo.mode_mismatch.next": {
        "nl": "Start hem op dezelfde manier, kies een andere map met --folder, of begin opnieuw met --fresh.",
        "en": "Start it the same way, choose another folder with --folder, or start over with --fresh.",
    },
    "demo.running": {
        "nl": "Er draait al een demo uit {folder}.",
        "en": "A demo from {folder} is already running.",
    },
    "demo.running.next": {
        "nl": "Gebruik die, of stop hem eerst met Ctrl+C in zijn terminal.",
        "en": "Use that one, or stop it first with Ctrl+C in its terminal.",
    },
    # --- the demo's own keyring (issue 12) ---
    "demo.keyring": {
        "nl": "De demo heeft een eigen sleutelbos (een eigen D-Bus-sessie met gnome-keyring); die stopt met de "
        "demo. Logboek: {log}",
        "en": "The demo has a keyring of its own (a D-Bus session of its own with gnome-keyring); it stops with "
        "the demo. Log: {log}",
    },
    "demo.keyring_failed": {
        "nl": "De eigen sleutelbos van de demo kon niet starten (stap {step}): {reason}",
        "en": "The demo's own keyring could not start (step {step}): {reason}",
    },
    "demo.keyring_failed.next": {
        "nl": "Kijk in {log}. Begin anders opnieuw met zorgcert demo --fresh.",
        "en": "Look in {log}. Otherwise start over with zorgcert demo --fresh.",
    },
    "demo.keyring_missing": {
        "nl": "De demo brengt een eigen sleutelbos mee, maar {tool} ontbreekt op deze computer.",
        "en": "The demo brings a keyring of its own, but {tool} is missing on this computer.",
    },
    "demo.keyring_missing.next": {
        "nl": "Installeer de pakketten gnome-keyring en dbus (sudo apt install gnome-keyring dbus-x11, of "
        "scripts/setup) en start de demo opnieuw.",
        "en": "Install the packages gnome-keyring and dbus (sudo apt install gnome-keyring dbus-x11, or "
        "scripts/setup) and start the demo again.",
    },
    # --- the story holds together on a rerun (issue 12) ---
    "demo.user_reused": {
        "nl": "{name} uit de vorige demo kan haar certificaat nog installeren; de demo gebruikt haar opnieuw.",
        "en": "{name} from the previous demo can still install her certificate; the demo uses her again.",
    },
    "demo.install_by.short": {
        "nl": "Installeer vóór {at} (klok van deze computer): daarna verwijdert de uitgever het certificaat van "
        "{name} (installatietermijn). Te laat? Start de demo opnieuw (zorgcert demo --short): dan komt er een "
        "nieuwe gebruiker. Helemaal opnieuw beginnen: zorgcert demo --short --fresh.",
        "en": "Install before {at} (this computer's clock): after that the issuer deletes {name}'s certificate "
        "(install window). Too late? Start the demo again (zorgcert demo --short) for a new user. To start over "
        "completely: zorgcert demo --short --fresh.",
    },
    "demo.install_by.real": {
        "nl": "Installeer vóór {at}: daarna verwijdert de uitgever het certificaat van {name} (installatietermijn). "
        "Opnieuw beginnen: zorgcert demo --fresh.",
        "en": "Install before {at}: after that the issuer deletes {name}'s certificate (install window). To start "
        "over: zorgcert demo --fresh.",
    },
}
