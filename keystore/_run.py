"""The one place that runs external commands for the store backends.

Secrets never travel in argv or the environment: an argument ``{secret:NAME}`` becomes
``/dev/fd/N``, the read end of a pipe that a thread fills with ``secrets[NAME]``.
Some tools (``pk12util -i``, ``certutil -i``) ``fstat`` their input for its size and
read nothing from a pipe; for those an argument ``{file:NAME}`` becomes ``/dev/fd/N``
of an anonymous in-memory file (``memfd_create``) holding ``files[NAME]``. Where
``memfd_create`` does not exist, the fallback is an owner-only (0600) file in an
owner-only (0700) temporary folder that is removed in ``finally``; callers only put
already-encrypted data (a PKCS#12) or public data (a certificate) there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager

from keystore.base import StoreError

_PLACEHOLDER = re.compile(r"\{(secret|file):([A-Za-z0-9_.-]+)\}")

# What to install when a tool is missing (the app layer translates; this is the English hint).
_PACKAGE_OF = {
    "certutil": "install libnss3-tools (apt install libnss3-tools)",
    "pk12util": "install libnss3-tools (apt install libnss3-tools)",
    "openssl": "install openssl (apt install openssl)",
    "security": "run this on macOS, where /usr/bin/security is part of the system",
}


def which(tool: str) -> str | None:
    """The full path of ``tool`` on PATH, or None."""
    return shutil.which(tool)


def missing_tool_fix(tool: str) -> str:
    """What a user should do when ``tool`` is not on PATH."""
    return _PACKAGE_OF.get(tool, f"install {tool} and make sure it is on PATH")


def _feed(fd: int, data: bytes) -> None:
    """Write ``data`` to a pipe's write end and close it; a reader that went away is fine."""
    try:
        with os.fdopen(fd, "wb", closefd=True) as pipe:
            pipe.write(data)
    except (BrokenPipeError, OSError):
        pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


@contextmanager
def _file_fd(name: str, data: bytes) -> Iterator[int]:
    """A readable, seekable file descriptor holding ``data`` that never has a name on disk if avoidable."""
    memfd_create = getattr(os, "memfd_create", None)
    if memfd_create is not None:
        fd = memfd_create(f"zorgcert-{name}", getattr(os, "MFD_CLOEXEC", 0))
        try:
            _write_all(fd, data)
            os.lseek(fd, 0, os.SEEK_SET)
            yield fd
        finally:
            os.close(fd)
        return
    # Fallback (no memfd_create): owner-only file in an owner-only folder, removed at once.
    folder = tempfile.mkdtemp(prefix="zorgcert-")  # mkdtemp creates it 0700
    path = os.path.join(folder, "data")
    fd = -1
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        _write_all(fd, data)
        os.lseek(fd, 0, os.SEEK_SET)
        yield fd
    finally:
        if fd >= 0:
            os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)


def _scrub(text: str, secrets: Mapping[str, bytes]) -> str:
    for value in secrets.values():
        shown = value.decode("utf-8", "ignore").strip()
        if shown:
            text = text.replace(shown, "***")
    return text


def run(
    argv: list[str],
    *,
    secrets: dict[str, bytes] | None = None,
    files: dict[str, bytes] | None = None,
    input: bytes | None = None,  # the name subprocess uses
    timeout: float = 60,
    store: str,
    check: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``argv`` with secrets passed through pipes; raise ``StoreError`` when it cannot run or fails."""
    secrets = dict(secrets or {})
    files = dict(files or {})
    tool = os.path.basename(argv[0])
    pipes: list[tuple[int, int, bytes]] = []  # (read end, write end, data)
    with ExitStack() as stack:
        fds: dict[tuple[str, str], int] = {}

        def fd_for(kind: str, name: str) -> int:
            if (kind, name) not in fds:
                source = secrets if kind == "secret" else files
                if name not in source:
                    raise KeyError(f"no {kind} named {name!r} for {tool}")
                if kind == "secret":
                    r, w = os.pipe()
                    pipes.append((r, w, secrets[name]))
                    fds[(kind, name)] = r
                else:
                    fds[(kind, name)] = stack.enter_context(_file_fd(name, files[name]))
            return fds[(kind, name)]

        try:
            real_argv = [_PLACEHOLDER.sub(lambda m: f"/dev/fd/{fd_for(m.group(1), m.group(2))}", a) for a in argv]
            proc = subprocess.Popen(  # argv is built by the backends, never by a shell
                real_argv,
                stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=tuple(fds.values()),
                start_new_session=True,  # no controlling terminal: a tool can never sit at a password prompt
            )
        except BaseException as exc:
            for r, w, _ in pipes:
                os.close(r)
                os.close(w)
            if isinstance(exc, (FileNotFoundError, PermissionError)):
                what = "was not found on PATH" if isinstance(exc, FileNotFoundError) else "cannot be run"
                raise StoreError(store, "tool-missing", f"{tool} {what}", fix=missing_tool_fix(tool)) from None
            raise
        # The child holds its own copies now. Ours must go, so that a writer gets EPIPE
        # instead of blocking when the child exits without reading.
        for r, _, _ in pipes:
            os.close(r)
        # Threads write the secrets, so a payload larger than the pipe buffer cannot deadlock.
        threads = [threading.Thread(target=_feed, args=(w, data), daemon=True) for _, w, data in pipes]
        for thread in threads:
            thread.start()
        try:
            stdout, stderr = proc.communicate(input=input, timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise StoreError(
                store, "tool-failed", f"{tool} did not finish within {timeout:g} s",
                fix="close other programs that use this certificate store (Firefox, Chromium) and try again",
            ) from None
        finally:
            for thread in threads:
                thread.join(timeout=5)
    result = subprocess.CompletedProcess(real_argv, proc.returncode, stdout, stderr)
    if check and proc.returncode != 0:
        raise StoreError(store, "tool-failed", failure_detail(result, secrets),
                         fix=f"see the message of {tool}; if it persists, contact Support with these details")
    return result


def failure_detail(result: subprocess.CompletedProcess[bytes], secrets: Mapping[str, bytes] | None = None) -> str:
    """``tool exited N: stderr`` with stderr decoded, trimmed and any secret value scrubbed."""
    tool = os.path.basename(str(result.args[0]))
    text = (result.stderr or b"").decode("utf-8", "replace").strip()
    if not text:  # certutil reports some errors on stdout
        text = (result.stdout or b"").decode("utf-8", "replace").strip()[-2000:]
    text = _scrub(text, secrets or {})
    if len(text) > 2000:
        text = text[:2000] + " ..."
    return f"{tool} exited {result.returncode}" + (f": {text}" if text else "")
