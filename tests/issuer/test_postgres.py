"""The issuer on a real PostgreSQL 15 server: Alembic schema, the EST flow over TLS, row locking.

A throwaway cluster is created per module (``initdb`` + ``pg_ctl``, run as the ``postgres``
user when the tests run as root), listening on a unix socket in its own folder and on
127.0.0.1. Needs the Debian package ``postgresql`` (server binaries in
/usr/lib/postgresql/15/bin) and the ``postgres`` extra (``psycopg[binary]``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from issuer_harness import (
    Holder,
    RunningIssuer,
    admin,
    pin_from_letter,
    problem,
    rsa_key,
    serve_issuer,
    simultaneously,
)
from pg_harness import DATABASE, ROLE, Cluster, free_port, throwaway_cluster

from issuer.db import make_engine

TABLES = {"organisations", "users", "certificates", "authorisations", "messages", "pin_throttle", "enrollment_requests",
          "user_requests", "audit_log"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL 15 cluster with a role and database for the issuer; removed afterwards."""
    with throwaway_cluster(max_connections=60) as pg:
        yield pg


@pytest.fixture(scope="module")
def pg_issuer(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    """``init --db URL`` (stored in issuer.toml), then ``serve`` that data folder over TLS."""
    data = tmp_path_factory.mktemp("pg-issuer") / "data"
    admin(data, "init", "--hostname", "localhost", "--ip", "127.0.0.1", "--db", cluster.url)
    running = serve_issuer(data)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def issued_pins() -> list[str]:
    """Every PIN handed out in this module, for the at-rest check."""
    return []


@pytest.fixture(scope="module")
def org_id(pg_issuer: RunningIssuer) -> int:
    """One organisation with a signed agreement for the users of the concurrency tests."""
    return pg_issuer.organisation("Huisartsenpraktijk Gelijktijdig")


def new_user(issuer: RunningIssuer, org_id: int, pins: list[str], name: str, **kw: Any) -> tuple[str, str]:
    number, pin = issuer.user(org_id, name=name, **kw)
    pins.append(pin)
    return number, pin


def user_row(cluster: Cluster, number: str) -> tuple[int, bool, int]:
    """(failed_pin_attempts, blocked, number of certificates) as PostgreSQL holds them."""
    ((failed, blocked, certs),) = cluster.rows(
        "SELECT u.failed_pin_attempts, u.blocked,"
        " (SELECT count(*) FROM certificates c WHERE c.user_number = u.user_number)"
        " FROM users u WHERE u.user_number = %s",
        number,
    )
    return failed, blocked, certs


def test_init_creates_the_schema_through_alembic(cluster: Cluster, pg_issuer: RunningIssuer) -> None:
    assert cluster.rows("SELECT version_num FROM alembic_version") == [("0004",)]
    tables = {t for (t,) in cluster.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert tables >= TABLES | {"alembic_version"}
    # the tables belong to the issuer's role, not to the superuser
    owners = {o for (o,) in cluster.rows("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")}
    assert owners == {ROLE}
    # aware datetimes: timestamptz on PostgreSQL
    (kind,) = cluster.rows(
        "SELECT data_type FROM information_schema.columns"
        " WHERE table_name = 'certificates' AND column_name = 'not_after'"
    )
    assert kind == ("timestamp with time zone",)
    # init stored the URL: later commands (and serve) use PostgreSQL without --db
    assert cluster.url in (pg_issuer.data / "issuer.toml").read_text(encoding="utf-8")
    assert not (pg_issuer.data / "issuer.db").exists()
    # the issuer's engine reaches the same database over TCP as well as over the socket
    engine = make_engine(f"postgresql+psycopg://{ROLE}@127.0.0.1:{cluster.port}/{DATABASE}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [("0004",)]
    finally:
        engine.dispose()


def test_enroll_over_tls_with_pin(
    cluster: Cluster, pg_issuer: RunningIssuer, issued_pins: list[str], tmp_path: Path
) -> None:
    # an explicit --db on an admin command works as well as the stored one
    org = pg_issuer.admin(
        "org", "add", "--name", "Huisartsenpraktijk De Linde", "--agb", "01234567", "--db", cluster.url
    )
    org_id = int(org["org_id"])
    pg_issuer.admin("org", "agreement", str(org_id))
    assert cluster.rows("SELECT name, agreement_signed_at IS NOT NULL FROM organisations WHERE id = %s", org_id) == [
        ("Huisartsenpraktijk De Linde", True)
    ]
    out = pg_issuer.admin(
        "user",
        "add",
        "--org",
        str(org_id),
        "--kind",
        "personal",
        "--name",
        "Anna de Vries",
        "--email",
        "anna@example.nl",
    )
    number, pin = out["user_number"], pin_from_letter(Path(out["letter"]))
    issued_pins.append(pin)

    anna = Holder(pg_issuer, tmp_path / "anna")
    cert = anna.take(pg_issuer.enroll(number, pin, anna.key))
    assert cert.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)[0].value == number
    serial = format(cert.serial_number, "x")
    ((how, not_after),) = cluster.rows("SELECT how, not_after FROM certificates WHERE serial = %s", serial)
    assert how == "install" and not_after == cert.not_valid_after_utc
    me = anna.get("/api/v1/me").json()
    assert me["certificate"]["serial"] == serial and me["certificate"]["state"] == "valid"

    body = problem(pg_issuer.enroll(number, pin, rsa_key()), 409, "still-valid")
    assert body["valid_until"] == cert.not_valid_after_utc.isoformat()
    assert user_row(cluster, number) == (0, False, 1)


@pytest.mark.parametrize("burst", range(3))  # the race window is narrow: three bursts, three users
def test_simultaneous_enrollments_with_one_pin_issue_one_certificate(
    cluster: Cluster, pg_issuer: RunningIssuer, org_id: int, issued_pins: list[str], burst: int
) -> None:
    number, pin = new_user(pg_issuer, org_id, issued_pins, f"Gelijktijdig {burst}")
    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(20)]

    answers = simultaneously(20, lambda i: pg_issuer.enroll(number, pin, keys[i]))

    statuses = Counter(r.status_code for r in answers)
    assert statuses == {200: 1, 409: 19}, [r.text for r in answers if r.status_code not in (200, 409)]
    for r in answers:
        if r.status_code == 409:
            problem(r, 409, "still-valid")
    assert user_row(cluster, number) == (0, False, 1)


def test_simultaneous_wrong_pins_block_after_five(
    cluster: Cluster, pg_issuer: RunningIssuer, org_id: int, issued_pins: list[str]
) -> None:
    number, pin = new_user(pg_issuer, org_id, issued_pins, "Verkeerde Pincode")
    wrong = "".join(str((int(d) + 1) % 10) for d in pin)
    key = rsa_key()

    answers = simultaneously(10, lambda i: pg_issuer.enroll(number, wrong, key))

    codes = Counter((r.status_code, r.json().get("code")) for r in answers)
    assert codes == {(401, "pin-invalid"): 4, (403, "user-blocked"): 6}, codes
    # every wrong PIN counted once, in order: 4, 3, 2, 1 attempts left, then blocked
    left = sorted(r.json()["attempts_left"] for r in answers if r.status_code == 401)
    assert left == [1, 2, 3, 4]
    assert user_row(cluster, number) == (5, True, 0)
    # blocked means blocked, even with the right PIN
    problem(pg_issuer.enroll(number, pin, key), 403, "user-blocked")
    assert user_row(cluster, number) == (5, True, 0)


def test_simultaneous_wrong_pins_for_an_unknown_number_block_after_five(pg_issuer: RunningIssuer) -> None:
    """Unknown numbers count wrong PINs too (INSERT ... ON CONFLICT on PostgreSQL), none lost to the race."""
    import secrets

    from app.policy import make_user_number

    number = make_user_number(str(secrets.randbelow(9 * 10**12) + 10**12))
    key = rsa_key()

    answers = simultaneously(10, lambda i: pg_issuer.enroll(number, "00000000", key))

    codes = Counter((r.status_code, r.json().get("code")) for r in answers)
    assert codes == {(401, "pin-invalid"): 4, (403, "user-blocked"): 6}, codes
    assert sorted(r.json()["attempts_left"] for r in answers if r.status_code == 401) == [1, 2, 3, 4]


def test_no_pin_is_stored_in_clear(
    cluster: Cluster, pg_issuer: RunningIssuer, issued_pins: list[str], tmp_path: Path
) -> None:
    # a PIN by letter (user add), one through the message box (approve) and a reset PIN
    own_org = pg_issuer.organisation("Huisartsenpraktijk Berichtenbox")
    cp_number, cp_pin = new_user(pg_issuer, own_org, issued_pins, "Contact Persoon", contact_person=True)
    cp = Holder(pg_issuer, tmp_path / "cp")
    cp.take(pg_issuer.enroll(cp_number, cp_pin, cp.key))
    requested = cp.post(
        "/api/v1/org/users", json={"kind": "personal", "name": "Nieuwe Collega", "email": "nc@example.nl"}
    )
    assert requested.status_code == 202, requested.text
    pg_issuer.admin("user", "approve", requested.json()["user_number"])
    (message,) = cp.get("/api/v1/messages").json()
    box_pin = cp.get(f"/api/v1/messages/{message['id']}").json()["pin"]
    assert box_pin.isdigit() and len(box_pin) == 8
    issued_pins.append(box_pin)
    reset = pg_issuer.admin("user", "reset-pin", cp_number)
    issued_pins.append(pin_from_letter(Path(reset["letter"])))
    assert cluster.rows("SELECT count(*) FROM messages") == [(1,)]

    # every column of every row of every table of the issuer's database
    seen: list[str | bytes] = []
    with cluster.connect() as conn:
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        assert {t for _, t in tables} >= TABLES
        for schema, table in tables:
            for row in conn.execute(f'SELECT * FROM "{schema}"."{table}"'):
                seen.extend(v if isinstance(v, bytes | str) else str(v) for v in row if v is not None)
    hashes = [h for (h,) in cluster.rows("SELECT pin_hash FROM users WHERE pin_hash IS NOT NULL")]
    assert hashes and all(h.startswith("zc-scrypt-hmac$") for h in hashes)  # peppered
    for pin in issued_pins:
        for value in seen:
            if isinstance(value, bytes):
                assert pin.encode() not in value
            else:
                assert pin not in value


def unreachable_url(cluster: Cluster) -> str:
    """A PostgreSQL URL whose server is not there (nothing listens on that socket)."""
    return f"postgresql+psycopg://{ROLE}@/{DATABASE}?host={cluster.folder}&port={free_port()}"


def test_init_against_an_unreachable_server_fails_cleanly(cluster: Cluster, tmp_path: Path) -> None:
    code, out, stderr = admin(tmp_path / "data", "init", "--db", unreachable_url(cluster), check=False)
    assert code == 1
    assert "Traceback" not in stderr
    assert out is not None and "error" in out


def test_init_can_be_retried_after_the_database_was_unreachable(cluster: Cluster, tmp_path: Path) -> None:
    data = tmp_path / "data"
    code, _, _ = admin(data, "init", "--db", unreachable_url(cluster), check=False)
    assert code != 0
    with cluster.connect(user="postgres", dbname="postgres") as conn:
        conn.execute(f"CREATE DATABASE zorgcert_retry OWNER {ROLE}")
    retry_url = cluster.url.replace(f"/{DATABASE}?", "/zorgcert_retry?")
    admin(data, "init", "--db", retry_url)
    assert f'"{retry_url}"' in (data / "issuer.toml").read_text(encoding="utf-8")
