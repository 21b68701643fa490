"""The throwaway PostgreSQL cluster of the test session (app/devtools/postgres.py): each test's database is
dropped after the test, even while a connection to it is still open."""

from __future__ import annotations

import psycopg

from app.devtools.postgres import PostgresCluster


def _databases(cluster: PostgresCluster) -> set[str]:
    with psycopg.connect(cluster.url().replace("postgresql+psycopg://", "postgresql://")) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def test_a_dropped_database_is_gone_even_with_a_connection_still_open(postgres_cluster: PostgresCluster) -> None:
    url = postgres_cluster.create_database()
    name = url.rsplit("/", 1)[1]
    still_open = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        assert name in _databases(postgres_cluster)

        postgres_cluster.drop_database(url)

        assert name not in _databases(postgres_cluster)
    finally:
        still_open.close()
