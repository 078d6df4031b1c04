"""Two issuers (separate ``serve`` processes, as on two hosts) over one PostgreSQL: still one issuer.

Exactly one certificate per user under simultaneous first installs spread over both; wrong PINs
counted once in all (five, not five per instance); unique serial numbers; a revocation made
through one instance refused at once by the other. One throwaway PostgreSQL cluster for the
module (the machinery of test_postgres.py); EC keys in the requests, so the work is the issuer's.
"""

from __future__ import annotations

import base64
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from issuer_harness import (
    Holder,
    RunningIssuer,
    admin,
    certs_from_pkcs7_b64,
    csr_der,
    problem,
    renewal_csr_der,
    serve_issuer,
    simultaneously,
    until_not_busy,
)
from pg_harness import Cluster, throwaway_cluster

EST_ENROLL = "/.well-known/est/simpleenroll"
HEADERS = {"Content-Type": "application/pkcs10"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL 15 cluster with room for two issuers' pools."""
    with throwaway_cluster(max_connections=120) as pg:
        yield pg


@pytest.fixture(scope="module")
def instances(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[RunningIssuer]]:
    """Two ``serve`` processes of one issuer (one data folder: CA, secret, issuer.toml) on one database;
    the first with two worker processes on its port (``--workers 2``), the second with one."""
    data = tmp_path_factory.mktemp("instances") / "data"
    # renewal open from the start (window = validity), so a fresh certificate can be renewed here
    admin(data, "init", "--hostname", "localhost", "--ip", "127.0.0.1", "--db", cluster.url,
          "--validity", "P2Y", "--renewal-window", "P2Y")
    running: list[RunningIssuer] = []
    try:
        for workers in ("2", "1"):
            running.append(serve_issuer(data, ("--workers", workers)))
        yield running
    finally:
        for one in running:
            one.stop()


@pytest.fixture(scope="module")
def org(instances: list[RunningIssuer]) -> int:
    return instances[0].organisation("Huisartsenpraktijk Twee Locaties")


@pytest.fixture(scope="module")
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def request_csr(key: ec.EllipticCurvePrivateKey, i: int) -> bytes:
    return base64.b64encode(csr_der(key, x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, f"req {i}")])))


def counts(cluster: Cluster, number: str) -> tuple[int, bool, int]:
    """(failed_pin_attempts, blocked, certificates) as PostgreSQL holds them."""
    ((failed, blocked, certs),) = cluster.rows(
        "SELECT u.failed_pin_attempts, u.blocked,"
        " (SELECT count(*) FROM certificates c WHERE c.user_number = u.user_number)"
        " FROM users u WHERE u.user_number = %s", number)
    return failed, blocked, certs


def spread(instances: list[RunningIssuer], n: int, call: Callable[[RunningIssuer, int], requests.Response]
           ) -> list[requests.Response]:
    """``call`` n times at once, request i to instance i mod 2."""
    return simultaneously(n, lambda i: call(instances[i % len(instances)], i))


def wrong(pin: str) -> str:
    return str((int(pin[0]) + 1) % 10) + pin[1:]


def test_fifty_installs_over_two_instances_give_one_certificate_per_user(
    cluster: Cluster, instances: list[RunningIssuer], org: int, key: ec.EllipticCurvePrivateKey
) -> None:
    users = [instances[0].user(org, name=f"Gebruiker {i}") for i in range(5)]
    csrs = [request_csr(key, i) for i in range(50)]

    answers = spread(instances, 50, lambda inst, i: until_not_busy(lambda: inst.post(
        EST_ENROLL, auth=users[i % 5], data=csrs[i], headers=HEADERS)))

    by_user: dict[str, Counter[int]] = {number: Counter() for number, _ in users}
    for i, r in enumerate(answers):
        by_user[users[i % 5][0]][r.status_code] += 1
        if r.status_code != 200:
            problem(r, 409, "still-valid")
    assert all(c == {200: 1, 409: 9} for c in by_user.values()), by_user
    # both instances issued (the winners are spread; a user's ten requests went five to each)
    serials = [certs_from_pkcs7_b64(r.content)[0].serial_number for r in answers if r.status_code == 200]
    assert len(set(serials)) == 5
    for number, _ in users:
        assert counts(cluster, number) == (0, False, 1)


def test_wrong_pins_count_five_in_all_over_both_instances(
    cluster: Cluster, instances: list[RunningIssuer], org: int, key: ec.EllipticCurvePrivateKey
) -> None:
    number, pin = instances[1].user(org, name="Sanne Mulder")
    csr = request_csr(key, 0)

    answers = spread(instances, 12, lambda inst, _i: inst.post(
        EST_ENROLL, auth=(number, wrong(pin)), data=csr, headers=HEADERS))

    codes = Counter(r.json().get("code") for r in answers)
    assert codes == {"pin-invalid": 4, "user-blocked": 8}, codes
    left = sorted(problem(r, 401, "pin-invalid")["attempts_left"] for r in answers if r.status_code == 401)
    assert left == [1, 2, 3, 4]  # each wrong PIN counted once, on whichever instance
    assert counts(cluster, number) == (5, True, 0)
    for inst in instances:  # blocked everywhere, even for the right PIN
        problem(inst.post(EST_ENROLL, auth=(number, pin), data=csr, headers=HEADERS), 403, "user-blocked")


def test_an_unknown_numbers_wrong_pins_count_five_in_all(
    instances: list[RunningIssuer], key: ec.EllipticCurvePrivateKey
) -> None:
    from app.policy import make_user_number

    number = make_user_number("7" * 13)
    csr = request_csr(key, 0)

    answers = spread(instances, 12, lambda inst, _i: inst.post(
        EST_ENROLL, auth=(number, "00000000"), data=csr, headers=HEADERS))

    codes = Counter(r.json().get("code") for r in answers)
    assert codes == {"pin-invalid": 4, "user-blocked": 8}, codes


def test_serial_numbers_are_unique_and_random_over_instances(
    cluster: Cluster, instances: list[RunningIssuer], org: int, key: ec.EllipticCurvePrivateKey
) -> None:
    users = [instances[1].user(org, name=f"Serie {i}") for i in range(8)]
    answers = spread(instances, 8, lambda inst, i: inst.post(
        EST_ENROLL, auth=users[i], data=request_csr(key, i), headers=HEADERS))
    assert [r.status_code for r in answers] == [200] * 8, [r.text[:200] for r in answers]
    serials = [certs_from_pkcs7_b64(r.content)[0].serial_number for r in answers]
    assert len(set(serials)) == 8
    # RFC 5280 §4.1.2.2: positive, at most 20 octets; random, so no instance can hand out another's
    assert all(0 < s < 2**159 for s in serials) and max(serials).bit_length() > 64
    ((total, distinct),) = cluster.rows("SELECT count(*), count(DISTINCT serial) FROM certificates")
    assert total == distinct


def test_a_revocation_is_seen_at_once_by_every_instance(
    instances: list[RunningIssuer], org: int, key: ec.EllipticCurvePrivateKey, tmp_path: Path
) -> None:
    first, second = instances
    number, pin = first.user(org, name="Daan Visser")
    holder = Holder(first, tmp_path / "holder")
    holder.key = key  # type: ignore[assignment]
    cert = holder.take(first.post(EST_ENROLL, auth=(number, pin), data=request_csr(key, 0), headers=HEADERS))
    for inst in instances:  # both know the certificate
        assert requests.get(inst.url + "/api/v1/me", cert=holder.tls, verify=inst.ca, timeout=30).status_code == 200

    first.service().revoke(number, "key-compromise")  # Support, next to the first instance

    # the very next request to the other instance is refused: no instance keeps its own copy
    problem(requests.get(second.url + "/api/v1/me", cert=holder.tls, verify=second.ca, timeout=30), 403, "revoked")
    renewal = requests.post(second.url + "/.well-known/est/simplereenroll", cert=holder.tls, verify=second.ca,
                            timeout=30, headers=HEADERS, data=base64.b64encode(csr_der(key, cert.subject)))
    assert renewal.status_code in (401, 403), renewal.text
    assert renewal.json()["code"] == "revoked"


def wait_for_lock_waiter(cluster: Cluster, timeout: float = 20.0) -> None:
    """Until some session of the issuer's waits for a row lock (pg_stat_activity)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cluster.rows("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")[0][0]:
            return
        time.sleep(0.02)
    raise AssertionError("no issuer session came to wait for the user's row lock")


def test_a_revocation_committed_while_a_renewal_waits_is_not_renewed_past(
    cluster: Cluster, instances: list[RunningIssuer], org: int, key: ec.EllipticCurvePrivateKey, tmp_path: Path
) -> None:
    """R9 across instances: a renewal that read the certificate just before Support revoked it
    (on another host) must decide on the revoked state, not on what it read before its lock."""
    first, second = instances
    number, pin = first.user(org, name="Lotte Bakker")
    holder = Holder(first, tmp_path / "holder")
    holder.key = key  # type: ignore[assignment]
    cert = holder.take(first.post(EST_ENROLL, auth=(number, pin), data=request_csr(key, 0), headers=HEADERS))
    answer: list[requests.Response] = []

    with cluster.connect() as conn, conn.transaction():
        # another host's transaction on this user is under way (it holds the user's row lock) ...
        conn.execute("SELECT 1 FROM users WHERE user_number = %s FOR UPDATE", (number,))
        renewing = threading.Thread(target=lambda: answer.append(requests.post(
            second.url + "/.well-known/est/simplereenroll", cert=holder.tls, verify=second.ca, timeout=60,
            headers=HEADERS, data=base64.b64encode(renewal_csr_der(key, cert)))))
        renewing.start()
        wait_for_lock_waiter(cluster)  # ... the renewal has read the certificate and waits for that lock
        # ... and what that transaction does is revoke the certificate
        conn.execute("UPDATE certificates SET revoked_at = now(), revocation_reason = 'key-compromise'"
                     " WHERE user_number = %s", (number,))
    renewing.join(timeout=60)

    problem(answer[0], 403, "revoked")
    assert counts(cluster, number)[2] == 1  # no second certificate


def workers_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_workers_share_one_port_and_stop_with_their_supervisor(instances: list[RunningIssuer]) -> None:
    """Last in the module: it stops the first instance."""
    first = instances[0]
    children = workers_of(first.process.pid)
    assert len(children) == 2, children
    # each worker: two service threads, and the serving collector thresholds (set before the fork)
    said = [line for line in first.log_lines if "collector thresholds" in line]
    assert len(said) == 2, said
    assert all(line.rstrip().endswith("; 2 service threads; collector thresholds 20000/20/20") for line in said), said
    # many connections on the one port, answered (by whichever worker the kernel hands them to)
    answers = simultaneously(8, lambda _i: requests.get(first.url + "/.well-known/est/cacerts", verify=first.ca,
                                                        timeout=30))
    assert [r.status_code for r in answers] == [200] * 8

    assert first.stop() == 0  # SIGTERM to the supervisor: every worker finishes and stops
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
    assert "ZorgCert issuer stopped" in "".join(first.log_lines)
