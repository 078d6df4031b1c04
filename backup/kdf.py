"""Argon2id parameters for backups: what a writer picks (calibrated on this machine) and what a reader accepts.

Argon2id (RFC 9106) is memory-hard: every guess at a passphrase costs the attacker the
same memory and time it costs us. The writer measures this machine once per backup and
picks parameters that take about half a second; the reader refuses parameters no writer
of ours would pick, so a hostile file cannot make it allocate gigabytes or run for minutes.
"""

from __future__ import annotations

import os
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

NAME = "argon2id"

# the writer's range
TARGET_SECONDS = 0.5
MIN_SECONDS, MAX_SECONDS = 0.3, 1.0
START_MEMORY_KIB = 128 * 1024
FLOOR_MEMORY_KIB = 19 * 1024  # OWASP's minimum for Argon2id (19 MiB, t=2): never weaker, even on a slow PC
CEILING_MEMORY_KIB = 256 * 1024
MIN_ITERATIONS, MAX_ITERATIONS = 2, 10
LANES = 4  # RFC 9106's recommended parallelism

# the reader's range: generous for files from faster machines, but bounded
READ_MAX_MEMORY_KIB = 512 * 1024
READ_MAX_ITERATIONS = 32
READ_MAX_LANES = 16
READ_MAX_WORK_KIB = 8 * READ_MAX_MEMORY_KIB  # memory x iterations: at most ~5 s here
SALT_LENGTHS = range(16, 65)


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost: memory in KiB, passes over it, lanes."""

    memory_kib: int
    iterations: int
    lanes: int = LANES

    def problem(self) -> str | None:
        """Why a reader refuses these parameters, or None when they are acceptable."""
        for name in ("memory_kib", "iterations", "lanes"):
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                return f"{name} must be a positive whole number"
        if self.lanes > READ_MAX_LANES:
            return f"{self.lanes} lanes (at most {READ_MAX_LANES})"
        if self.memory_kib < 8 * self.lanes:
            return f"memory {self.memory_kib} KiB is below Argon2's minimum of 8 KiB per lane"
        if self.memory_kib > READ_MAX_MEMORY_KIB:
            return f"memory {self.memory_kib} KiB (at most {READ_MAX_MEMORY_KIB})"
        if self.iterations > READ_MAX_ITERATIONS:
            return f"{self.iterations} iterations (at most {READ_MAX_ITERATIONS})"
        if self.memory_kib * self.iterations > READ_MAX_WORK_KIB:
            return "memory x iterations too large"
        return None

    def describe(self) -> str:
        """Short human text, e.g. ``Argon2id 128 MiB x 3, 4 lanes``."""
        return f"Argon2id {self.memory_kib // 1024} MiB x {self.iterations}, {self.lanes} lanes"


def passphrase_bytes(passphrase: str) -> bytes:
    """The bytes a passphrase stands for: Unicode NFC, UTF-8 (so 'é' typed two ways is one passphrase)."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive(passphrase: str, salt: bytes, params: KdfParams, length: int) -> bytes:
    """Run Argon2id; the caller has checked ``params.problem()`` is None."""
    kdf = Argon2id(
        salt=salt, length=length, iterations=params.iterations, lanes=params.lanes, memory_cost=params.memory_kib
    )
    return kdf.derive(passphrase_bytes(passphrase))


@dataclass(frozen=True)
class Calibration:
    params: KdfParams
    seconds_per_pass: float  # measured: one pass over the memory

    @property
    def estimated_seconds(self) -> float:
        return self.seconds_per_pass * self.params.iterations


def _one_pass(memory_kib: int, timer: Callable[[], float]) -> float:
    start = timer()
    derive("calibration", os.urandom(16), KdfParams(memory_kib, 1), 32)
    return timer() - start


def calibrate(target: float = TARGET_SECONDS, *, timer: Callable[[], float] = time.perf_counter) -> Calibration:
    """Parameters that take about ``target`` seconds here (0.3-1 s), never below the OWASP floor."""
    memory = START_MEMORY_KIB
    per_pass = _one_pass(memory, timer)
    for _ in range(4):  # a few doublings or halvings at most
        if per_pass * MIN_ITERATIONS > MAX_SECONDS and memory > FLOOR_MEMORY_KIB:
            memory = max(memory // 2, FLOOR_MEMORY_KIB)
        elif per_pass * MAX_ITERATIONS < MIN_SECONDS and memory < CEILING_MEMORY_KIB:
            memory = min(memory * 2, CEILING_MEMORY_KIB)
        else:
            break
        per_pass = _one_pass(memory, timer)
    iterations = min(max(round(target / max(per_pass, 1e-6)), MIN_ITERATIONS), MAX_ITERATIONS)
    return Calibration(KdfParams(memory, iterations), per_pass)
