"""Migrations: Alembic runs only for a database behind the newest schema, and ``HEAD_REVISION`` is Alembic's head."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from issuer import db


def _alembic(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def test_head_revision_is_the_newest_migration() -> None:
    assert ScriptDirectory.from_config(_alembic("sqlite://")).get_heads() == [db.HEAD_REVISION]


def test_a_new_and_an_older_database_are_brought_to_the_newest_schema(tmp_path: Path) -> None:
    new = db.sqlite_url(tmp_path / "new")
    (tmp_path / "new").mkdir()
    assert db.revision(new) is None
    db.migrate(new)
    assert db.revision(new) == db.HEAD_REVISION

    (tmp_path / "old").mkdir()
    old = db.sqlite_url(tmp_path / "old")
    command.upgrade(_alembic(old), "0003")
    assert db.revision(old) == "0003"
    db.migrate(old)
    assert db.revision(old) == db.HEAD_REVISION
    engine = db.make_engine(old)
    try:
        assert set(inspect(engine).get_table_names()) >= set(db.Base.metadata.tables)
    finally:
        engine.dispose()


def test_a_database_at_the_newest_schema_starts_without_alembic(tmp_path: Path) -> None:
    url = db.sqlite_url(tmp_path)
    db.migrate(url)
    probe = (
        "import sys; import issuer.cli; from issuer import db; before = 'alembic' in sys.modules; "
        f"db.migrate({url!r}); print(before, 'alembic' in sys.modules, db.revision({url!r}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.split() == ["False", "False", db.HEAD_REVISION]
