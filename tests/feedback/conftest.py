"""The feedback, snooze, order-sign override and issued-card writer tests run on SQLite **and** PostgreSQL.

``database_url`` is parametrised: a fresh SQLite file, or a fresh database in the session's throwaway PostgreSQL
cluster on 127.0.0.1 (app/devtools/postgres.py; installed by ``./.ci/install-postgresql``). Where PostgreSQL
cannot be run here, the PostgreSQL cases skip and say why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.devtools.postgres import PostgresCluster


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'feedback.db'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    url = cluster.create_database()
    yield url
    cluster.drop_database(url)  # after the app that used it has stopped


@pytest.fixture
def sqlite_database_url(tmp_path: Path) -> str:
    """For the tests of what is SQLite-specific (the file, its statements)."""
    return f"sqlite:///{tmp_path / 'feedback.db'}"


@pytest.fixture
def database_bytes(request: pytest.FixtureRequest, database_url: str) -> Callable[[], bytes]:
    """Reads everything stored: the SQLite file and its write-ahead log as on disk, or a ``pg_dump``."""

    def read() -> bytes:
        if database_url.startswith("sqlite:///"):
            path = Path(database_url.removeprefix("sqlite:///"))
            return b"".join(file.read_bytes() for file in sorted(path.parent.glob(path.name + "*")))
        cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
        return cluster.dump(database_url)

    return read
