"""``zorgcert config`` (issue 12, point 9): every form works, and ``show`` says where each value comes from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app_harness import run_in_process
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _ca_file(path: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def _run(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("ZORGCERT_ISSUER_URL", "ZORGCERT_ISSUER_CA")}
    # main() in this process: what config says and keeps is the subject here, not the process
    r = run_in_process(list(args), None, {**base, "ZORGCERT_HOME": str(home), "ZORGCERT_LANG": "nl", **env})
    return subprocess.CompletedProcess([sys.executable, "-m", "app.commands.cli", *args], r.code, r.out, r.err)


def test_config_set_show_unset_in_every_form(tmp_path: Path) -> None:
    home = tmp_path / "zc"
    ca = _ca_file(tmp_path / "ca.pem")
    r = _run(home, "config", "set", "issuer-url", "https://uitgever.example.nl/")
    assert r.returncode == 0, r.stderr  # was exit 1, TypeError: t() got multiple values for argument 'key'
    assert r.stdout.strip() == "issuer-url ingesteld op https://uitgever.example.nl."
    r = _run(home, "config", "set", "issuer-ca", str(ca), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"issuer-ca": str(ca.resolve())}

    r = _run(home, "config", "show")
    assert r.returncode == 0 and "Traceback" not in r.stderr
    config_file = home / "config" / "config.json"
    assert f"issuer-url = https://uitgever.example.nl  (uit het configuratiebestand {config_file})" in r.stdout
    assert f"issuer-ca = {ca.resolve()}  (uit het configuratiebestand {config_file})" in r.stdout

    # the environment wins, and show says so (it printed nothing before)
    r = _run(home, "config", "show", "--json", ZORGCERT_ISSUER_URL="https://env.example.nl")
    shown = json.loads(r.stdout)
    assert shown["issuer-url"] == {"value": "https://env.example.nl", "source": "environment",
                                   "where": "ZORGCERT_ISSUER_URL"}
    assert shown["issuer-ca"]["source"] == "config-file"
    r = _run(tmp_path / "empty", "config", "show", "--lang", "en", ZORGCERT_ISSUER_URL="https://env.example.nl",
             ZORGCERT_ISSUER_CA=str(ca))
    assert "issuer-url = https://env.example.nl  (from the environment variable ZORGCERT_ISSUER_URL)" in r.stdout
    assert f"issuer-ca = {ca}  (from the environment variable ZORGCERT_ISSUER_CA)" in r.stdout

    r = _run(home, "config", "show", ZORGCERT_ISSUER_URL="https://jan:geheim@env.example.nl")
    assert "geheim" not in r.stdout and "https://***@env.example.nl" in r.stdout  # no credentials echoed

    r = _run(home, "config", "unset", "issuer-url")
    assert r.returncode == 0, r.stderr
    assert json.loads(config_file.read_text()) == {"issuer-ca": str(ca.resolve())}
    r = _run(home, "config", "show", "--json")
    assert json.loads(r.stdout)["issuer-url"]["source"] == "unset"

    # refusals are words with a next step, never a traceback
    for args in (("issuer-url", "http://uitgever.example.nl"), ("issuer-ca", str(tmp_path / "missing.pem"))):
        r = _run(home, "config", "set", *args)
        assert r.returncode == 2 and "Traceback" not in r.stderr and "referentie" not in r.stderr


def test_config_set_takes_its_options_before_or_after_the_subcommand(tmp_path: Path) -> None:
    """``config set`` crashed before issue 12 (a TypeError, exit 1: see the first test); issue 13 moved every
    command onto argparse, so ``--lang`` and ``--json`` must still work wherever they stand."""
    home = tmp_path / "zc"
    for args in (("--lang", "en", "config", "set"), ("config", "--lang", "en", "set"), ("config", "set")):
        tail = () if args[0] == "--lang" or args[1] == "--lang" else ("--lang", "en")
        r = _run(home, *args, "issuer-url", "https://uitgever.example.nl/", *tail)
        assert (r.returncode, r.stderr) == (0, "")
        assert r.stdout == "issuer-url set to https://uitgever.example.nl.\n"
    r = _run(home, "--json", "config", "set", "issuer-url", "https://ander.example.nl")
    assert r.returncode == 0 and json.loads(r.stdout) == {"issuer-url": "https://ander.example.nl"}
    assert json.loads((home / "config" / "config.json").read_text()) == {"issuer-url": "https://ander.example.nl"}
    r = _run(home, "config", "set", "issuer-port", "443")  # not a setting: argparse's usage error, exit 2
    assert r.returncode == 2 and "invalid choice: 'issuer-port'" in r.stderr and "Traceback" not in r.stderr
