"""The service's clinical knowledge as data: where ``fhir_mappings/`` and ``cards/`` are, and their catalogs loaded
once per process.

The value sets and the card templates are immutable once loaded (:class:`app.terminology.CodeSetCatalog`,
:class:`app.render.CardCatalog`), so every application a process creates shares them: a second ``create_app`` (a
test, ``osteo-cds evaluate``) does not parse and validate hundreds of files again. A catalog is keyed by its
directory and by the size and modification time of every file in it: an edited file is read again, a catalog
that fails to load is not cached.

From a source checkout the directories are the repository's own; an installed wheel carries them as package data
of ``app/_data/`` (``pyproject.toml``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from app.render import CardCatalog, load_card_catalog
from app.terminology import CodeSetCatalog, load_catalog

__all__ = ["CARDS_DIR", "FHIR_MAPPINGS_DIR", "card_catalog", "data_root", "terminology_catalog"]

_PACKAGE = Path(__file__).resolve().parent
_CACHED = 4
"""Distinct catalogs kept per process (the shipped one, and the few a test suite loads from elsewhere)."""

Fingerprint = tuple[tuple[str, int, int], ...]


def data_root() -> Path:
    """The directory holding ``cards/`` and ``fhir_mappings/``: the source checkout, else the installed package."""
    checkout = _PACKAGE.parent
    if (checkout / "cards").is_dir() and (checkout / "fhir_mappings").is_dir():
        return checkout
    return _PACKAGE / "_data"


FHIR_MAPPINGS_DIR = data_root() / "fhir_mappings"
CARDS_DIR = data_root() / "cards"


def _fingerprint(*paths: Path | None) -> Fingerprint:
    """Name, size and modification time of every file under ``paths`` (a changed file changes the key)."""
    found: list[tuple[str, int, int]] = []
    for path in paths:
        if path is None:
            continue
        if not path.is_dir():
            try:
                stat = path.stat()
            except OSError:  # absent: the loader reports it
                found.append((str(path), -1, -1))
            else:
                found.append((str(path), stat.st_size, stat.st_mtime_ns))
            continue
        for folder, _dirs, files in os.walk(path):
            for name in files:
                stat = os.stat(os.path.join(folder, name))
                found.append((os.path.join(folder, name), stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(found))


def terminology_catalog(directory: Path = FHIR_MAPPINGS_DIR) -> CodeSetCatalog:
    """:func:`app.terminology.load_catalog`, once per process per content of ``directory``."""
    directory = directory.resolve()
    return _terminology(directory, _fingerprint(directory))


def card_catalog(
    cards_dir: Path = CARDS_DIR,
    orders_dir: Path = FHIR_MAPPINGS_DIR / "orders",
    order_codings_file: Path | None = None,
) -> CardCatalog:
    """:func:`app.render.load_card_catalog`, once per process per content of its directories and file."""
    cards_dir, orders_dir = cards_dir.resolve(), orders_dir.resolve()
    codings = order_codings_file.resolve() if order_codings_file is not None else None
    return _cards(cards_dir, orders_dir, codings, _fingerprint(cards_dir, orders_dir, codings))


@lru_cache(maxsize=_CACHED)
def _terminology(directory: Path, _fingerprint: Fingerprint) -> CodeSetCatalog:
    return load_catalog(directory)


@lru_cache(maxsize=_CACHED)
def _cards(
    cards_dir: Path, orders_dir: Path, order_codings_file: Path | None, _fingerprint: Fingerprint
) -> CardCatalog:
    return load_card_catalog(cards_dir, orders_dir, order_codings_file)
