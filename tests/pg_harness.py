"""A throwaway PostgreSQL 15 cluster for the issuer's tests (``initdb`` + ``pg_ctl``, run as the ``postgres``
user when the tests run as root), listening on a unix socket in its own folder and on 127.0.0.1, plus the
helpers the PostgreSQL modules share. Needs the Debian package ``postgresql`` (server binaries in
/usr/lib/postgresql/15/bin) and the ``postgres`` extra (``psycopg[binary]``): a module that imports this
is skipped without them."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

psycopg = pytest.importorskip("psycopg", reason="needs the 'postgres' extra: pip install 'psycopg[binary]>=3.2'")

PG_BIN = Path("/usr/lib/postgresql/15/bin")
ROLE, DATABASE = "zorgcert", "zorgcert_issuer"


@dataclass(frozen=True)
class Cluster:
    folder: Path  # also the unix socket directory
    port: int

    @property
    def url(self) -> str:
        """The SQLAlchemy URL the issuer gets: psycopg 3 over the unix socket."""
        return f"postgresql+psycopg://{ROLE}@/{DATABASE}?host={self.folder}&port={self.port}"

    def connect(self, *, user: str = ROLE, dbname: str = DATABASE) -> Any:
        return psycopg.connect(host=str(self.folder), port=self.port, user=user, dbname=dbname, autocommit=True)

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with self.connect() as conn:
            return conn.execute(sql, params).fetchall()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres() -> list[str]:
    """initdb refuses root: as root, run the server tools as the ``postgres`` user."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no 'postgres' user (install the Debian package postgresql)")
    if shutil.which("runuser") is None:
        pytest.skip("running as root and 'runuser' is missing (util-linux)")
    return ["runuser", "-u", "postgres", "--"]


@contextlib.contextmanager
def throwaway_cluster(max_connections: int) -> Iterator[Cluster]:
    """A new cluster with a role and a database for the issuer, stopped and removed afterwards; tuned for
    tests (no fsync). Skips the test when the server binaries are missing."""
    tools = {name: PG_BIN / name for name in ("initdb", "pg_ctl", "postgres")}
    missing = [str(path) for path in tools.values() if not os.access(path, os.X_OK)]
    if missing:
        pytest.skip(
            f"PostgreSQL 15 server binaries missing ({', '.join(missing)}): install the Debian package postgresql"
        )
    prefix = _as_postgres()
    folder = Path(tempfile.mkdtemp(prefix="zorgcert-pg-", dir="/tmp"))
    os.chmod(folder, 0o700)
    if prefix:
        pw = pwd.getpwnam("postgres")
        os.chown(folder, pw.pw_uid, pw.pw_gid)
    data, log = folder / "data", folder / "server.log"

    def run(*args: str | Path) -> None:
        proc = subprocess.run([*prefix, *map(str, args)], capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            raise AssertionError(f"{args[0]} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}\n{server_log}")

    started = False
    try:
        run(tools["initdb"], "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")
        port = free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} "
            f"-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections={max_connections}"
        )
        started = True  # from here on, always try to stop it
        run(tools["pg_ctl"], "-D", data, "-l", log, "-o", options, "-w", "-t", "30", "start")
        pg = Cluster(folder, port)
        with pg.connect(user="postgres", dbname="postgres") as conn:
            conn.execute(f"CREATE ROLE {ROLE} LOGIN")
            conn.execute(f"CREATE DATABASE {DATABASE} OWNER {ROLE}")
        yield pg
    finally:
        if started:
            stop = [*prefix, str(tools["pg_ctl"]), "-D", str(data), "-w", "-t", "20", "stop"]
            if subprocess.run([*stop, "-m", "fast"], capture_output=True, timeout=60).returncode != 0:
                subprocess.run([*stop, "-m", "immediate"], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
