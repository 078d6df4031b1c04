"""Creating an issuer's data folder (``init``) and opening it (every other command)."""

from __future__ import annotations

from pathlib import Path

from app.clock import Clock, SystemClock
from issuer import db, pins
from issuer.ca import CertificateAuthority
from issuer.config import IssuerConfig, load_config, write_config
from issuer.files import write_private, write_public
from issuer.outbox import Outbox
from issuer.service import IssuerService


def init_issuer(
    data_dir: Path,
    *,
    name: str,
    hostnames: list[str],
    ips: list[str],
    durations: dict[str, str | int],
    database: str = "",
    clock: Clock | None = None,
) -> IssuerConfig:
    """Create config, secret, root + issuing CA, TLS certificate and database; never overwrite."""
    clock = clock or SystemClock()
    if (data_dir / "ca").exists():
        from issuer.config import ConfigError

        raise ConfigError(f"{data_dir} already holds a CA; refusing to overwrite it")
    data_dir.mkdir(parents=True, exist_ok=True)
    # the database first: if it cannot be reached nothing else is written, and init can be retried
    db.migrate(database or db.sqlite_url(data_dir))
    cfg = write_config(
        data_dir, name=name, durations=durations, hostnames=hostnames, ips=ips, database=database
    )
    ca = CertificateAuthority.create(cfg.ca_dir, pins.ca_passphrase(cfg.secret()), name=name, now=clock.now())
    chain_pem, key_pem = ca.issue_server_certificate(hostnames=hostnames, ips=ips, now=clock.now())
    write_private(cfg.tls_key, key_pem)
    write_public(cfg.tls_cert, chain_pem)
    write_public(cfg.root_ca_pem, (cfg.ca_dir / "root-ca.pem").read_bytes())
    return cfg


def open_service(data_dir: Path, *, database: str | None = None, clock: Clock | None = None) -> IssuerService:
    """The issuer service over an existing data folder (migrating its database if needed)."""
    cfg = load_config(data_dir)
    url = database or cfg.database_url()
    db.migrate(url)
    secret = cfg.secret()
    ca = CertificateAuthority.load(cfg.ca_dir, pins.ca_passphrase(secret))
    return IssuerService(
        db.make_sessionmaker(db.make_engine(url, writes=False)),
        ca,
        cfg.durations,
        Outbox(cfg.mail_dir, cfg.post_dir, cfg.name),
        pins.MessageSeal(secret),
        clock or SystemClock(),
        write_sessions=db.make_sessionmaker(db.make_engine(url)),
    )
