"""The one table of "which store on which OS" (``app.state.stores.PLATFORMS``) and the one availability check.

``auto``, the install wizard's first choice, and the stores doctor and the support bundle look
at all come from the table; these tests open the real stores it names on this Linux machine.
``check_available`` is what install, renewal and restore ask before they touch a store.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.desk import wizard
from app.errors import StoreFolderNotOurs, StoreProblem, StoreToolsMissing
from app.state import stores
from app.state.paths import Paths
from keystore.files import FileStore
from keystore.macos import MacKeychainStore
from keystore.nss import NssStore
from keystore.windows import WindowsStore

NUMBER = "01234567890123"
EXPECTED = {  # what the app did before the table existed (kind -> spec, per platform)
    "linux": {"personal": "nss", "system": "auto"},
    "win32": {"personal": "windows", "system": "windows:LocalMachine"},
    "darwin": {"personal": "macos", "system": "auto"},
    "freebsd14": {"personal": "nss", "system": "auto"},
}


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return Paths(tmp_path / "config", tmp_path / "data", tmp_path / "logs")


@pytest.mark.parametrize("platform", sorted(EXPECTED))
@pytest.mark.parametrize("kind", ["personal", "system"])
def test_the_wizard_offers_first_what_auto_means(platform: str, kind: str) -> None:
    usual = stores.usual_spec(kind, platform)
    assert usual == EXPECTED[platform][kind]
    first, folder = wizard.store_choices(kind, platform)
    assert first.spec == usual and first.label_key.startswith("ui.store.") and not first.needs_folder
    assert folder.spec == "file:" and folder.needs_folder


@pytest.mark.parametrize("platform", sorted(stores.PLATFORMS))
def test_every_spec_in_the_table_opens_a_store_of_its_kind(platform: str, paths: Paths) -> None:
    row = stores.platform_stores(platform)
    kinds = {"nss": NssStore, "windows": WindowsStore, "windows:LocalMachine": WindowsStore,
             "macos": MacKeychainStore, "auto": FileStore}
    for kind, spec in (("personal", row.personal), ("system", row.system)):
        opened = stores.open_stores(spec, kind=kind, user_number=NUMBER, paths=paths) if spec != "auto" else \
            stores.open_stores(f"file:{paths.files_dir / NUMBER}", kind=kind, user_number=NUMBER, paths=paths)
        assert opened and all(isinstance(s, kinds[spec]) for s in opened), (platform, kind, spec)
        assert all(stores.open_stores(stores.spec_of(s), kind=kind, user_number=NUMBER, paths=paths)[0].location
                   == s.location for s in opened)


def test_auto_on_this_linux_machine(paths: Paths) -> None:
    assert stores.platform_stores().nss  # these tests run on Linux
    personal = stores.open_stores("auto", kind="personal", user_number=NUMBER, paths=paths)
    assert [(s.name, s.location) for s in personal] == [("nss", f"sql:{stores.chromium_db()}")]
    (system,) = stores.open_stores("auto", kind="system", user_number=NUMBER, paths=paths)
    assert isinstance(system, FileStore) and system.folder == (paths.files_dir / NUMBER).resolve()
    assert [(s.name, s.location) for s in stores.machine_stores()] == [(s.name, s.location) for s in personal]


def test_only_where_the_browsers_use_nss_are_nss_databases_looked_at() -> None:
    assert [p for p, row in stores.PLATFORMS.items() if row.nss] == ["linux"]
    assert stores.platform_stores("freebsd14").nss  # auto installs into NSS there, so it is looked at


def test_no_store_at_all_says_how_to_name_one() -> None:
    with pytest.raises(StoreProblem) as caught:
        stores.check_available([])
    assert caught.value.params["store"] == "auto" and "--store" in caught.value.params["fix"]


def test_a_folder_with_someone_elses_files_is_not_ours(tmp_path: Path) -> None:
    folder = tmp_path / "his"
    folder.mkdir()
    (folder / "their-key.pem").write_text("not ours")
    with pytest.raises(StoreFolderNotOurs) as caught:
        stores.check_available([FileStore(folder, p12_password=lambda: "x")])
    assert caught.value.params["store"] == str(folder) and caught.value.params["fix"]


def test_missing_nss_tools_say_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    usable = FileStore(tmp_path / "files", p12_password=lambda: "x")
    with pytest.raises(StoreToolsMissing) as caught:
        stores.check_available([usable, NssStore(tmp_path / "nssdb", label="Chromium", create=True)])
    assert "certutil" in str(caught.value) and "libnss3-tools" in caught.value.params["fix"]


@pytest.mark.skipif(shutil.which("certutil") is None, reason="certutil missing: install libnss3-tools")
def test_usable_stores_pass(tmp_path: Path) -> None:
    stores.check_available([FileStore(tmp_path / "files", p12_password=lambda: "x"),
                            NssStore(tmp_path / "nssdb", label="Chromium", create=True)])
    assert not os.path.exists(tmp_path / "files")  # asking changes nothing
