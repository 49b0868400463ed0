"""What code made a run: netopt's own sources and the versions of the solver and modeller."""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path


@functools.cache
def code_version() -> str:
    """16 hex digits of SHA-256 over netopt's own source files and the solver and modeller versions: what,
    besides a run's inputs and options, decides its plan. A study reuses a run only if this matches."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    for pkg in ("highspy", "pyomo"):
        try:
            digest.update(f"{pkg}={metadata.version(pkg)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{pkg}=none".encode())
    return digest.hexdigest()[:16]
