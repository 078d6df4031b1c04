"""``WindowsStore``: the certificate store logic for ``My`` over the ``Crypt32Api`` interface.

Which certificate is filed under which friendly name, in which order keys and certificates are
deleted, what is read back, and that every context, store and key handle is released. It talks
to crypt32 only through ``Crypt32Api`` (``keystore.windows.crypt32``), so a fake can stand in
for it in tests; see the package docstring for what runs where.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from keystore.base import NICKNAME_PREFIX, Availability, Identity, StoreError, StoreRef, fingerprint
from keystore.der import pfx_shape_ok
from keystore.windows.crypt32 import (
    CERT_FRIENDLY_NAME_PROP_ID,
    CERT_STORE_ADD_REPLACE_EXISTING,
    CRYPT_EXPORTABLE,
    CRYPT_MACHINE_KEYSET,
    CRYPT_USER_KEYSET,
    ERROR_ACCESS_DENIED,
    ERROR_INVALID_PASSWORD,
    SCOPES,
    Crypt32Api,
    Crypt32Error,
    CtypesCrypt32,
    KeyProvInfo,
    utf16z,
)


@dataclass(frozen=True)
class _Entry:
    der: bytes
    friendly_name: str | None
    key: KeyProvInfo | None
    key_problem: str | None  # None when the private key was acquired


class WindowsStore:
    """The ``My`` (Personal) store of the current user or of the machine."""

    name = "windows"

    def __init__(self, scope: str = "CurrentUser", *, exportable: bool = False, api: Crypt32Api | None = None):
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {sorted(SCOPES)}, not {scope!r}")
        self.scope = scope
        self.exportable = exportable
        self.location = f"{scope}\\My"
        self._api = api

    # -- CertStore ---------------------------------------------------------------------------
    def available(self) -> Availability:
        """Usable when crypt32 loads (only on Windows), or when a Crypt32Api was handed in."""
        if self._api is not None:
            return Availability(True, f"Windows certificate store {self.location}")
        if sys.platform != "win32":
            return Availability(False, "only on Windows", None)
        try:
            self._api = CtypesCrypt32()
        except Exception as exc:  # noqa: BLE001 - never raise from available()
            return Availability(False, f"crypt32.dll could not be loaded: {exc}",
                                "Repair the Windows installation (sfc /scannow) and try again.")
        return Availability(True, f"Windows certificate store {self.location}")

    def install(self, identity: Identity) -> StoreRef:
        """Import the PKCS#12, file its leaf in My under the nickname, and read it back."""
        sha1 = bytes.fromhex(identity.sha1_thumbprint)
        before = self._lookup(sha1)
        if before is not None and before.key_problem is None:
            if before.friendly_name != identity.nickname:
                self._rename(sha1, identity.nickname)
            return self._read_back(identity, sha1)
        new_key = self._import_into_my(identity, sha1)
        try:
            ref = self._read_back(identity, sha1)
        except StoreError:
            self._undo_install(sha1, new_key)
            raise
        if before is not None and before.key is not None and not before.key.same_key(new_key):
            self._delete_key_if_unused(before.key, best_effort=True)  # the broken entry's old key
        return ref

    def find(self, fingerprint_: str) -> StoreRef | None:
        """The entry whose certificate has this SHA-256, provided its private key can be acquired."""
        api = self._calls()
        wanted = fingerprint_.lower()
        with self._my_store() as store, self._certificates(store) as contexts, self._errors("could not search"):
            for ctx in contexts:
                if fingerprint(api.cert_der(ctx)) != wanted:
                    continue
                entry = self._describe(ctx, check_key=True)
                if entry.key_problem is None:
                    return self._ref(entry.friendly_name or "", wanted)
        return None

    def remove(self, ref: StoreRef) -> None:
        """Delete the key container, then the certificate, then commit; fine if already gone."""
        api = self._calls()
        wanted = ref.fingerprint.lower()
        commit_error: Crypt32Error | None = None
        with self._my_store() as store:
            owned = self._enum(store)
            try:
                doomed: list[tuple[Any, KeyProvInfo | None]] = []
                kept_keys: list[KeyProvInfo] = []
                for ctx in list(owned):
                    info = api.key_prov_info(ctx)
                    if fingerprint(api.cert_der(ctx)) == wanted:
                        doomed.append((ctx, info))
                    else:
                        if info is not None:
                            kept_keys.append(info)
                        owned.remove(ctx)
                        api.free_certificate(ctx)
                for ctx, info in doomed:
                    # A key another certificate still uses stays (Wine files every import in one container).
                    if info is not None and not any(info.same_key(other) for other in kept_keys):
                        api.delete_key_container(info, self._machine(info))
                    owned.remove(ctx)
                    api.delete_certificate(ctx)
                if doomed:
                    try:
                        api.commit(store)
                    except Crypt32Error as exc:
                        commit_error = exc  # judged by the read-back below
            except Crypt32Error as exc:
                raise self._failure(exc, f"could not remove {ref.nickname or wanted} from {self.location}") from exc
            finally:
                for ctx in owned:
                    api.free_certificate(ctx)
        if self._holds(wanted):
            detail = f"{ref.nickname or wanted} is still in {self.location} after deleting it"
            if commit_error is not None:
                detail += f" ({commit_error})"
            raise StoreError(self.name, "read-back", detail)

    def list_ours(self) -> list[StoreRef]:
        """Every certificate in My whose friendly name starts with ``ZorgCert``, key or not."""
        api = self._calls()
        refs = []
        with self._my_store() as store, self._certificates(store) as contexts, self._errors("could not list"):
            for ctx in contexts:
                name = utf16z(api.get_property(ctx, CERT_FRIENDLY_NAME_PROP_ID))
                if name is not None and name.startswith(NICKNAME_PREFIX):
                    refs.append(self._ref(name, fingerprint(api.cert_der(ctx))))
        return refs

    # -- install steps -----------------------------------------------------------------------
    def _import_flags(self) -> int:
        flags = CRYPT_USER_KEYSET if self.scope == "CurrentUser" else CRYPT_MACHINE_KEYSET
        return flags | (CRYPT_EXPORTABLE if self.exportable else 0)

    def _pfx_import(self, identity: Identity) -> Any:
        api = self._calls()
        try:
            return api.pfx_import(identity.pfx, identity.pfx_password, self._import_flags())
        except Crypt32Error as exc:
            if not pfx_shape_ok(identity.pfx) or not api.is_pfx(identity.pfx):
                raise StoreError(self.name, "corrupt", "the data handed to the Windows store is not a "
                                 f"(complete) PKCS#12 file ({exc})", _FIX_DAMAGED) from exc
            if exc.code in (ERROR_INVALID_PASSWORD, 0):  # Windows: 0x56; Wine: no error set
                raise StoreError(self.name, "wrong-password",
                                 f"PFXImportCertStore refused the PKCS#12 password (0x{exc.code:08X}); "
                                 "under Wine this also means an algorithm it cannot read", _FIX_DAMAGED) from exc
            raise self._failure(exc, "could not read the PKCS#12") from exc

    def _import_into_my(self, identity: Identity, sha1: bytes) -> KeyProvInfo:
        """Import into a memory store, name the leaf, add it to My; returns the leaf's key."""
        api = self._calls()
        temp = self._pfx_import(identity)
        created: list[KeyProvInfo] = []  # the import persisted these key containers already
        leaf_key: KeyProvInfo | None = None
        try:
            contexts = api.enum_certificates(temp)
            try:
                leaf = None
                for ctx in contexts:
                    info = api.key_prov_info(ctx)
                    if info is not None:
                        created.append(info)
                    if info is not None and hashlib.sha1(api.cert_der(ctx)).digest() == sha1:
                        leaf, leaf_key = ctx, info
                if leaf is None or leaf_key is None:
                    raise StoreError(self.name, "corrupt", f"the PKCS#12 holds no certificate "
                                     f"{identity.sha1_thumbprint} with its private key", _FIX_DAMAGED)
                api.set_friendly_name(leaf, identity.nickname)
                with self._my_store() as my:
                    api.add_certificate(my, leaf, CERT_STORE_ADD_REPLACE_EXISTING)
            finally:
                for ctx in contexts:
                    api.free_certificate(ctx)
        except Crypt32Error as exc:
            self._discard(created)
            raise self._failure(exc, f"could not add {identity.nickname} to {self.location}") from exc
        except BaseException:
            self._discard(created)
            raise
        finally:
            api.close_store(temp)
        assert leaf_key is not None  # else the StoreError above
        self._discard([info for info in created if not info.same_key(leaf_key)])  # keys of CA certs
        return leaf_key

    def _read_back(self, identity: Identity, sha1: bytes) -> StoreRef:
        entry = self._lookup(sha1)
        where = f"{identity.nickname} in {self.location}"
        if entry is None:
            raise StoreError(self.name, "read-back", f"{where}: the certificate is not there after adding it")
        if entry.friendly_name != identity.nickname:
            raise StoreError(self.name, "read-back", f"{where}: friendly name reads {entry.friendly_name!r}")
        if entry.key_problem is not None:
            raise StoreError(self.name, "read-back", f"{where}: the private key is not usable ({entry.key_problem})")
        return self._ref(identity.nickname, identity.fingerprint)

    def _undo_install(self, sha1: bytes, key: KeyProvInfo) -> None:
        """After a failed read-back: take out what this install put in, as far as possible."""
        api = self._calls()
        try:
            with self._my_store() as store:
                ctx = api.find_by_sha1(store, sha1)
                if ctx is not None:
                    api.delete_certificate(ctx)
                    api.commit(store)
        except Crypt32Error:
            pass  # the read-back error is the one to report
        self._delete_key_if_unused(key, best_effort=True)

    def _discard(self, keys: list[KeyProvInfo]) -> None:
        for info in keys:
            self._delete_key_if_unused(info, best_effort=True)

    def _delete_key_if_unused(self, info: KeyProvInfo, *, best_effort: bool = False) -> None:
        """Delete a key container unless a certificate in My still points at it."""
        api = self._calls()
        try:
            with self._my_store() as store, self._certificates(store) as contexts:
                for ctx in contexts:
                    key = api.key_prov_info(ctx)
                    if key is not None and key.same_key(info):
                        return
            api.delete_key_container(info, self._machine(info))
        except Crypt32Error as exc:
            if not best_effort:
                raise self._failure(exc, f"could not delete key container {info.container}") from exc
        except StoreError:
            if not best_effort:
                raise

    def _rename(self, sha1: bytes, nickname: str) -> None:
        api = self._calls()
        with self._my_store() as store:
            ctx = api.find_by_sha1(store, sha1)
            if ctx is None:
                return
            try:
                api.set_friendly_name(ctx, nickname)
            except Crypt32Error as exc:
                raise self._failure(exc, f"could not rename the certificate to {nickname}") from exc
            finally:
                api.free_certificate(ctx)
            try:
                api.commit(store)
            except Crypt32Error:
                pass  # the read-back decides

    # -- reading -----------------------------------------------------------------------------
    def _lookup(self, sha1: bytes) -> _Entry | None:
        api = self._calls()
        with self._my_store() as store:
            try:
                ctx = api.find_by_sha1(store, sha1)
            except Crypt32Error as exc:
                raise self._failure(exc, f"could not search {self.location}") from exc
            if ctx is None:
                return None
            try:
                return self._describe(ctx, check_key=True)
            finally:
                api.free_certificate(ctx)

    def _holds(self, wanted: str) -> bool:
        api = self._calls()
        with self._my_store() as store, self._certificates(store) as contexts, self._errors("could not list"):
            return any(fingerprint(api.cert_der(ctx)) == wanted for ctx in contexts)

    def _describe(self, ctx: Any, *, check_key: bool) -> _Entry:
        api = self._calls()
        try:
            der = api.cert_der(ctx)
            name = utf16z(api.get_property(ctx, CERT_FRIENDLY_NAME_PROP_ID))
            key = api.key_prov_info(ctx)
        except Crypt32Error as exc:
            raise self._failure(exc, f"could not read a certificate in {self.location}") from exc
        problem: str | None = None
        if key is None:
            problem = "no CERT_KEY_PROV_INFO_PROP_ID: the certificate has no private key"
        elif check_key:
            try:
                handle, key_spec, must_free = api.acquire_private_key(ctx)
            except Crypt32Error as exc:
                problem = str(exc)
            else:
                api.release_private_key(handle, key_spec, must_free)
        return _Entry(der, name, key, problem)

    # -- plumbing ----------------------------------------------------------------------------
    def _calls(self) -> Crypt32Api:
        if self._api is None:
            if sys.platform != "win32":
                raise StoreError(self.name, "unavailable", "the Windows certificate store exists only on Windows")
            try:
                self._api = CtypesCrypt32()
            except OSError as exc:
                raise StoreError(self.name, "unavailable", f"crypt32.dll could not be loaded: {exc}") from exc
        return self._api

    @contextmanager
    def _my_store(self) -> Iterator[Any]:
        api = self._calls()
        try:
            store = api.open_system_store(self.scope, "MY")
        except Crypt32Error as exc:
            raise self._failure(exc, f"could not open {self.location}") from exc
        try:
            yield store
        finally:
            api.close_store(store)

    def _enum(self, store: Any) -> list[Any]:
        try:
            return self._calls().enum_certificates(store)
        except Crypt32Error as exc:
            raise self._failure(exc, f"could not list {self.location}") from exc

    @contextmanager
    def _certificates(self, store: Any) -> Iterator[list[Any]]:
        """Every certificate context in the store, all freed when the block ends."""
        api = self._calls()
        contexts = self._enum(store)
        try:
            yield contexts
        finally:
            for ctx in contexts:
                api.free_certificate(ctx)

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Turn a failed Win32 call into a StoreError that names the call and its code."""
        try:
            yield
        except Crypt32Error as exc:
            raise self._failure(exc, f"{doing} {self.location}") from exc

    def _machine(self, info: KeyProvInfo) -> bool:
        return self.scope == "LocalMachine" or bool(info.flags & CRYPT_MACHINE_KEYSET)

    def _ref(self, nickname: str, fingerprint_: str) -> StoreRef:
        return StoreRef(self.name, self.location, nickname, fingerprint_)

    def _failure(self, exc: Crypt32Error, doing: str) -> StoreError:
        fix = None
        if exc.code == ERROR_ACCESS_DENIED and self.scope == "LocalMachine":
            fix = "Run ZorgCert as administrator to change LocalMachine\\My, or install for the current user."
        return StoreError(self.name, "tool-failed", f"{doing}: {exc}", fix)


_FIX_DAMAGED = "Restore the certificate from its backup or request it again; if that fails, contact Support."
