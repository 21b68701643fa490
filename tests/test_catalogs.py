"""The immutable catalogs (value sets, card templates) are loaded once per process and shared by every application
the process creates; settings and databases stay per application."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Any

from app.catalogs import CARDS_DIR, FHIR_MAPPINGS_DIR, card_catalog, data_root, terminology_catalog
from app.config import Settings
from app.main import ROOT, create_app
from app.snapshot.parameters import SnapshotParameters


def _state_of(settings: Settings) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        application = create_app(settings)
        async with application.router.lifespan_context(application) as state:
            assert state is not None
            return dict(state)

    return asyncio.run(run())


def test_two_applications_share_the_catalogs_but_not_their_settings_or_database(tmp_path: Path) -> None:
    first = Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", auth_disabled_for_development=True)
    second = Settings(
        database_url=f"sqlite:///{tmp_path / 'b.db'}", auth_disabled_for_development=True, default_language="en"
    )

    one, two = _state_of(first), _state_of(second)

    assert one["resources"].terminology is two["resources"].terminology
    assert one["resources"].cards is two["resources"].cards
    assert one["resources"].order_drugs is two["resources"].order_drugs  # the same catalogs and parameters
    assert one["resources"].settings is first and two["resources"].settings is second
    assert one["feedback_store"] is not two["feedback_store"]
    assert (tmp_path / "a.db").is_file() and (tmp_path / "b.db").is_file()


def test_from_the_source_tree_the_catalogs_are_the_repositorys_own() -> None:
    assert data_root() == ROOT
    assert (CARDS_DIR, FHIR_MAPPINGS_DIR) == (ROOT / "cards", ROOT / "fhir_mappings")


def test_an_edited_card_file_is_read_again(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    shutil.copytree(CARDS_DIR, cards)
    loaded = card_catalog(cards)
    assert card_catalog(cards) is loaded

    template = cards / "GC-START-1.toml"
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")

    assert card_catalog(cards) is not loaded


def test_another_order_codings_file_is_another_catalog(tmp_path: Path) -> None:
    codings = tmp_path / "codings.json"
    codings.write_text("{}", encoding="utf-8")

    assert card_catalog(order_codings_file=codings) is not card_catalog()
    assert card_catalog(order_codings_file=codings) is card_catalog(order_codings_file=codings)


def test_a_touched_value_set_is_read_again(tmp_path: Path) -> None:
    mappings = tmp_path / "fhir_mappings"
    shutil.copytree(FHIR_MAPPINGS_DIR, mappings)
    loaded = terminology_catalog(mappings)

    value_set = next(mappings.glob("valueset-*.json"))
    stat = value_set.stat()
    os.utime(value_set, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    assert terminology_catalog(mappings) is not loaded


def test_other_snapshot_parameters_identify_the_order_drugs_again(tmp_path: Path) -> None:
    base = Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", auth_disabled_for_development=True)
    other = base.model_copy(update={"snapshot": SnapshotParameters(dxa_stale_years=4)})

    assert _state_of(base)["resources"].order_drugs is not _state_of(other)["resources"].order_drugs
