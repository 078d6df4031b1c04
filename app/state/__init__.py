"""Where ZorgCert keeps what it knows on this machine: folders, atomic files, the wallet, the key
vault, the journal of operations under way, the lock, settings, the log, and which certificate
stores this machine uses."""
