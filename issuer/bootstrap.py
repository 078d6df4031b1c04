"""Creating an issuer's data folder (``init``) and opening it (every other command).

The data folder is the issuer's alone: the folder and its sub-folders 0700, the database,
keys, secret and configuration 0600, set at creation and checked on every start. A start
takes group/other permissions away (and logs each change); it refuses a folder or file
that belongs to another user (docs/issuer.md, "Files and modes").
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.engine import make_url

from app.clock import Clock, SystemClock
from issuer import db, pins
from issuer.ca import CertificateAuthority
from issuer.config import ConfigError, IssuerConfig, load_config, write_config
from issuer.files import NotOurs, create_private_file, make_private_dir, tighten, write_private, write_public
from issuer.outbox import Outbox
from issuer.service import IssuerService

log = logging.getLogger("zorgcert.issuer")

PRIVATE_DIRS = ("ca", "secret", "tls", "outbox", "outbox/mail", "outbox/post")
PRIVATE_FILES = ("issuer.toml", "tls/server.key", "ca/root-ca.key.pem", "ca/issuing-ca.key.pem")
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL, None for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def init_issuer(
    data_dir: Path,
    *,
    name: str,
    hostnames: list[str],
    ips: list[str],
    durations: dict[str, str | int],
    database: str = "",
    clock: Clock | None = None,
    enroll_approval: str = "automatic",
    approval_retry_after: int = 60,
) -> IssuerConfig:
    """Create config, secret, root + issuing CA, TLS certificate and database; never overwrite."""
    clock = clock or SystemClock()
    if (data_dir / "ca").exists():
        raise ConfigError(f"{data_dir} already holds a CA; refusing to overwrite it")
    try:
        make_private_dir(data_dir)
    except NotOurs as exc:
        raise ConfigError(str(exc)) from None
    url = database or db.sqlite_url(data_dir)
    db_file = sqlite_file(url)
    if db_file is not None:
        create_private_file(db_file)  # 0600 before SQLite opens it; its -wal and -shm files take the same mode
    # the database first: if it cannot be reached nothing else is written, and init can be retried
    db.migrate(url)
    cfg = write_config(
        data_dir, name=name, durations=durations, hostnames=hostnames, ips=ips, database=database,
        enroll_approval=enroll_approval, approval_retry_after=approval_retry_after,
    )
    ca = CertificateAuthority.create(cfg.ca_dir, pins.ca_passphrase(cfg.secret()), name=name, now=clock.now())
    chain_pem, key_pem = ca.issue_server_certificate(hostnames=hostnames, ips=ips, now=clock.now())
    write_private(cfg.tls_key, key_pem)
    write_public(cfg.tls_cert, chain_pem)
    write_public(cfg.root_ca_pem, (cfg.ca_dir / "root-ca.pem").read_bytes())
    secure_data_folder(cfg, url)
    return cfg


def secure_data_folder(cfg: IssuerConfig, url: str) -> list[str]:
    """Folders 0700, secrets and database 0600; what was changed, each change logged as a warning.

    Raises ConfigError when one of them belongs to another user.
    """
    dirs = [cfg.data_dir, *(cfg.data_dir / d for d in PRIVATE_DIRS)]
    files = [cfg.data_dir / f for f in PRIVATE_FILES] + [cfg.secret_file]
    db_file = sqlite_file(url)
    if db_file is not None:
        files += [db_file.with_name(db_file.name + suffix) for suffix in _SQLITE_COMPANIONS]
    changed = []
    for path in dict.fromkeys(dirs + files):  # in order, once each
        try:
            change = tighten(path)
        except NotOurs as exc:
            raise ConfigError(str(exc)) from None
        except OSError as exc:  # e.g. a secret on a read-only credentials store that is open to others
            raise ConfigError(f"{path} is readable by other users and cannot be restricted: {exc.strerror}") from None
        if change:
            old, new = change
            log.warning(
                "%s was open to other users (mode %04o); restricted it to the issuer's user (mode %04o)",
                path,
                old,
                new,
            )
            changed.append(str(path))
    return changed


def open_service(data_dir: Path, *, database: str | None = None, clock: Clock | None = None) -> IssuerService:
    """The issuer service over an existing data folder (migrating its database if needed).

    Checks the folder's owner and modes before reading anything from it, and re-keys PIN
    hashes made before the pepper (docs/issuer.md, "PINs at rest").
    """
    try:
        tighten(data_dir)  # before issuer.toml is read: a folder someone else controls is not trusted
    except NotOurs as exc:
        raise ConfigError(str(exc)) from None
    cfg = load_config(data_dir)
    url = database or cfg.database_url()
    secure_data_folder(cfg, url)
    db_file = sqlite_file(url)
    if db_file is not None and not db_file.exists():
        create_private_file(db_file)
    db.migrate(url)
    secret = cfg.secret()
    ca = CertificateAuthority.load(cfg.ca_dir, pins.ca_passphrase(secret))
    service = IssuerService(
        db.make_sessionmaker(db.make_engine(url, writes=False)),
        ca,
        cfg.durations,
        Outbox(cfg.mail_dir, cfg.post_dir, cfg.name),
        pins.MessageSeal(secret),
        clock or SystemClock(),
        write_sessions=db.make_sessionmaker(db.make_engine(url)),
        pin_hasher=pins.PinHasher(pins.pin_pepper(secret)),
        enroll_approval=cfg.enroll_approval,
        approval_retry_after=cfg.approval_retry_after,
    )
    service.catalogue = cfg.catalogue  # R10: the services, from issuer.toml
    service.pin_message_lifetime = cfg.pin_message_lifetime
    service.support = cfg.support
    rekeyed = service.upgrade_pin_hashes()
    if rekeyed:
        log.warning("re-keyed %d PIN hash(es) from before the pepper; they need the secret file now", rekeyed)
    return service
