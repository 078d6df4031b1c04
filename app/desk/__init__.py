"""What the desktop app and the tray agent need from the core, without Qt: one facade, the certificate
card, the wizard's map, reminders and start at login."""
