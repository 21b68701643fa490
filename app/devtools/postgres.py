"""A throwaway PostgreSQL cluster on 127.0.0.1 for tests and the benchmark (never used by the service itself).

``initdb`` into a fresh temporary directory, ``pg_ctl start`` on a free port of 127.0.0.1 (no Unix socket in a
shared place, trust authentication for the one local user, ``fsync`` off: the data is thrown away), one database
per test (:meth:`PostgresCluster.create_database`, dropped after it: :meth:`PostgresCluster.drop_database`), and
:meth:`~PostgresCluster.stop` / :meth:`~PostgresCluster.start` / :meth:`~PostgresCluster.freeze` /
:meth:`~PostgresCluster.thaw` for outage tests.
The binaries come from Debian's ``postgresql`` package (``./.ci/install-postgresql``). PostgreSQL refuses to run
as root: as root, every command runs as the ``postgres`` system user that the package creates.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

from app.devtools.connections import free_port

__all__ = ["PostgresCluster", "PostgresUnavailableError", "find_postgres_bin"]

_USER = "osteo"
_START_SECONDS = 30


class PostgresUnavailableError(RuntimeError):
    """PostgreSQL cannot be run here (not installed, or root without a ``postgres`` user); the message says why."""


def find_postgres_bin() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``: on ``PATH``, else Debian's ``/usr/lib/postgresql/<v>/bin``
    (the newest)."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    raise PostgresUnavailableError("PostgreSQL is not installed (initdb not found); run ./.ci/install-postgresql")


class PostgresCluster:
    """One throwaway cluster; use as a context manager (started on enter, removed on exit)."""

    def __init__(self) -> None:
        self.bin = find_postgres_bin()
        self._as_user: list[str] = []
        self._owner: tuple[int, int] | None = None
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            try:
                import pwd

                entry = pwd.getpwnam("postgres")
            except KeyError:
                entry = None
            if runuser is None or entry is None:
                raise PostgresUnavailableError("running as root, and there is no postgres user to run PostgreSQL as")
            self._as_user = [runuser, "-u", "postgres", "--"]
            self._owner = (entry.pw_uid, entry.pw_gid)
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="osteo-cds-postgres-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self._databases = 0

    def _run(self, *command: str) -> None:
        result = subprocess.run([*self._as_user, *command], capture_output=True, timeout=120, check=False)
        if result.returncode != 0:
            raise PostgresUnavailableError(
                f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.decode(errors='replace')[-500:]}"
            )

    def __enter__(self) -> Self:
        if self._owner is not None:
            os.chown(self.root, *self._owner)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            _USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        try:
            self.thaw()
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def start(self) -> None:
        """Start (or restart after :meth:`stop`) on the same port. Fast but crash-safe for a *process* crash, which
        :meth:`stop` is: ``fsync=off`` (the OS keeps what was written), but commits are written to the WAL before
        they return (``synchronous_commit`` stays on), so a table or row committed just before an immediate stop is
        there after the restart (with it off, the last commits were lost and a test found its tables missing)."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            str(_START_SECONDS),
            "start",
        )

    def stop(self) -> None:
        """Stop at once (``-m immediate``: open connections are cut, as in a crash)."""
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def _pids(self) -> list[int]:
        """The postmaster and its children (every backend)."""
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return []
        postmaster = int(pid_file.read_text().splitlines()[0])
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children")
        found = [postmaster]
        if children.exists():
            found.extend(int(pid) for pid in children.read_text().split())
        return found

    def freeze(self) -> None:
        """SIGSTOP the server and every backend: connections stay open and nothing answers (a hung database)."""
        for pid in self._pids():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self._pids():
            os.kill(pid, signal.SIGCONT)

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL (psycopg 3) for ``database``."""
        return f"postgresql+psycopg://{_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new, empty database; returns its SQLAlchemy URL."""
        import psycopg

        self._databases += 1
        name = f"test_{os.getpid()}_{self._databases}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={_USER} dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"'.encode())
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Remove the database of ``url`` (made by :meth:`create_database`), closing connections still open to it.
        A session that drops each test's database keeps its cluster small: deleting the hundred or so it would
        otherwise keep (several megabytes and a few hundred files each) took half a minute at the end of a test
        session on a busy machine."""
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={_USER} dbname=postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())

    def dump(self, url: str) -> bytes:
        """Everything stored in the database of ``url`` (``pg_dump``, plain SQL with the rows)."""
        database = url.rsplit("/", 1)[1]
        command = [str(self.bin / "pg_dump"), "-h", "127.0.0.1", "-p", str(self.port), "-U", _USER, database]
        return subprocess.run(command, capture_output=True, timeout=120, check=True).stdout
