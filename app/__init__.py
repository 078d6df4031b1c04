"""ZorgCert core: free of Qt, light to import (the issuer imports ``app.policy``)."""

__version__ = "0.1.0"
