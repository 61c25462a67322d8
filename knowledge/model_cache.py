"""Trained classifiers kept between runs in a cache folder, each under a key that covers what it was
trained from: its examples as given, the knowledge package's code and data (which turn examples into
features) and the versions of the libraries that cut, read and fit them."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)

KEPT = 3  # classifiers of one name kept in the folder
# what cuts, reads and fits the examples: a new version may cut or weigh them otherwise
LIBRARIES = ("jieba", "pypinyin", "opencc", "cn2an", "numpy", "scikit-learn")
_PACKAGE = Path(__file__).parent

Model = TypeVar("Model")


def cache_folder() -> Path:
    """Where trained classifiers are kept between runs: $XDG_CACHE_HOME/jobbot (~/.cache/jobbot)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jobbot"


def kept(
    name: str,
    what: Any,
    folder: Path | None,
    train: Callable[[], Model],
    save: Callable[[Model, Path], None],
    load: Callable[[Path], Model],
) -> Model:
    """The classifier `name` trained from `what` (anything JSON can write: its examples and settings),
    read from the folder when it was trained before; otherwise trained, and saved as `name`-key.npz
    when the folder is writable. No folder: trained afresh."""
    if folder is None:
        return train()
    key = hashlib.sha256(json.dumps([_fingerprint(), what], ensure_ascii=False).encode()).hexdigest()
    path = folder / f"{name}-{key[:24]}.npz"
    try:
        return load(path)
    except (OSError, ValueError, KeyError):
        pass
    model = train()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f"{path.stem}.{os.getpid()}.part")
        save(model, part)
        part.replace(path)  # whole or not at all, however many processes start together
        # Older ones were trained on data or code that has changed since; a few are kept for two
        # installs of different versions sharing the folder, which would otherwise evict each other.
        older = sorted(folder.glob(f"{name}-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in older[KEPT:]:
            old.unlink(missing_ok=True)
    except OSError as error:
        log.warning("could not keep the trained classifier %s in %s: %s", name, folder, error)
    return model


@cache
def _fingerprint() -> str:
    """The knowledge package's files (code and data) and the libraries' versions, as one digest."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".json", ".jsonl", ".txt"}:
            digest.update(path.relative_to(_PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    for library in LIBRARIES:
        digest.update(f"{library}=={metadata.version(library)}".encode())
    return digest.hexdigest()
