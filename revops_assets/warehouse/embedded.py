"""The embedded warehouse server: Postgres 16 + pgvector from the `pgserver` wheel.

Why not `pgserver.get_server()`: it listens on a unix socket only and stops the server when the Python process
exits. `revops up` must leave a server running on 127.0.0.1:PORT for `dagster dev`, psql and other processes, so we
drive the bundled `initdb`/`pg_ctl` ourselves. `pg_ctl start` puts the postmaster in its own session with its output
in a log file, so no caller's pipe is held open by it.

Postgres refuses to run as root; when we are root the server runs as a `pgserver` system user (created on demand,
as the pgserver package does).
"""

from __future__ import annotations

import errno
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2 import sql

SERVER_USER = "pgserver"
DB_SUPERUSER = "postgres"


class EmbeddedServerError(RuntimeError):
    """A problem the user can act on (busy port, stale lock, failed start); printed without a traceback."""


def _bin_dir() -> Path:
    """pgserver's bundled binaries, found without importing pgserver (its import touches XDG runtime dirs)."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError("the 'pgserver' package is not installed; run 'make install'")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    port: int | None
    pgdata: Path
    detail: str


class EmbeddedPostgres:
    """One Postgres cluster whose data lives in `<home>/pgdata`, listening on 127.0.0.1:`port` only."""

    def __init__(self, home: Path, port: int, *, durable: bool = True) -> None:
        self.home = Path(home).resolve()
        self.port = int(port)
        # durable=False (test servers only): no fsync, no full-page images. A crash of Postgres itself still loses
        # nothing committed (the WAL is in the OS cache); only an OS crash could, and test data is thrown away.
        self.durable = durable
        self.pgdata = self.home / "pgdata"
        self.log_path = self.home / "postgres.log"

    # -- connection strings -------------------------------------------------------------------------------
    def dsn(self, dbname: str) -> str:
        return f"host=127.0.0.1 port={self.port} user={DB_SUPERUSER} dbname={dbname}"

    def sqlalchemy_url(self, dbname: str) -> str:
        return f"postgresql+psycopg2://{DB_SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    # -- lifecycle ------------------------------------------------------------------------------------------
    def start(self) -> str:
        """Initialise (first time) and start the server; harmless when it already runs. Returns what it did."""
        status = self.status()
        if status.running:
            if status.port != self.port:
                raise EmbeddedServerError(
                    f"the embedded server in {self.pgdata} already runs on port {status.port}, not {self.port}; "
                    f"run 'revops down' first or set REVOPS_PG_PORT={status.port}"
                )
            return f"already running (pid {status.pid}, port {self.port})"
        self.home.mkdir(parents=True, exist_ok=True)
        self._clear_stale_lock()
        self._check_port_free()  # before initdb: a busy port leaves no half-made state folder behind
        initialised = self._ensure_initialised()
        self._write_settings()
        self._pg_ctl(["start", "-w", "-t", "60", "-l", str(self.log_path)], what="start")
        self._wait_ready()
        return ("initialised and started" if initialised else "started") + f" on 127.0.0.1:{self.port}"

    def stop(self) -> str:
        status = self.status()
        if not status.running:
            return "not running"
        self._pg_ctl(["stop", "-w", "-t", "60", "-m", "fast"], what="stop")
        return f"stopped (pid {status.pid})"

    def status(self) -> ServerStatus:
        pid_file = self.pgdata / "postmaster.pid"
        if not pid_file.exists():
            detail = "not initialised" if not (self.pgdata / "PG_VERSION").exists() else "stopped"
            return ServerStatus(False, None, None, self.pgdata, detail)
        lines = pid_file.read_text(errors="replace").splitlines()
        try:
            pid, port = int(lines[0]), int(lines[3])
        except (IndexError, ValueError):
            return ServerStatus(False, None, None, self.pgdata, "stale lock file (unreadable postmaster.pid)")
        if not _is_postgres_process(pid):
            return ServerStatus(False, pid, port, self.pgdata, f"stale lock file (pid {pid} is not running)")
        return ServerStatus(True, pid, port, self.pgdata, f"running (pid {pid}, port {port})")

    def verify_owner(self) -> None:
        """Raise unless the Postgres answering on 127.0.0.1:`port` (if any) is this state folder's own server.

        Two checkouts with the same default port would otherwise read and write each other's warehouse silently.
        Our server is the one whose postmaster.pid in `pgdata` names a live postgres process on this port.
        """
        status = self.status()
        if status.running and status.port == self.port:
            return
        if _port_accepts(self.port):
            raise EmbeddedServerError(
                f"port {self.port} on 127.0.0.1 is served by another Postgres, not the embedded server of this state "
                f"folder ({self.home}); set REVOPS_PG_PORT to a free port for this state folder, or REVOPS_HOME to "
                "the state folder that server belongs to"
            )

    # -- databases ------------------------------------------------------------------------------------------
    def ensure_database(self, name: str, *, extensions: tuple[str, ...] = ("vector",)) -> bool:
        """Create database `name` when missing and install `extensions` in it; True when it was created."""
        created = False
        with _autocommit(self.dsn("postgres")) as cur:
            cur.execute("select 1 from pg_database where datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
                created = True
        with _autocommit(self.dsn(name)) as cur:
            for ext in extensions:
                cur.execute(sql.SQL("create extension if not exists {}").format(sql.Identifier(ext)))
        return created

    def drop_database(self, name: str) -> None:
        with _autocommit(self.dsn("postgres")) as cur:
            cur.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))

    # -- internals ------------------------------------------------------------------------------------------
    def _run_as_server_user(self, args: list[str], *, what: str) -> subprocess.CompletedProcess:
        kwargs: dict = {}
        if os.geteuid() == 0:
            entry = _ensure_server_user()
            kwargs.update(user=entry.pw_uid, group=entry.pw_gid, extra_groups=[])
        try:
            return subprocess.run(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                check=True,
                timeout=120,
                cwd=self.home,
                **kwargs,
            )
        except subprocess.CalledProcessError as err:
            tail = self._log_tail()
            raise EmbeddedServerError(
                f"could not {what} the embedded Postgres in {self.pgdata}: {err.stdout.strip()}"
                + (f"\n--- last lines of {self.log_path} ---\n{tail}" if tail else "")
            ) from None

    def _pg_ctl(self, args: list[str], *, what: str) -> None:
        if os.geteuid() == 0:
            _make_traversable(self.pgdata)  # a parent may have been chmod-ed since (pytest resets its tmp root)
        self._run_as_server_user([str(_bin_dir() / "pg_ctl"), "-D", str(self.pgdata), *args], what=what)

    def _ensure_initialised(self) -> bool:
        if (self.pgdata / "PG_VERSION").exists():
            return False
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            entry = _ensure_server_user()
            _make_traversable(self.pgdata)
            for path in (self.home, self.pgdata):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self.pgdata.chmod(0o700)
        self._run_as_server_user(
            [
                str(_bin_dir() / "initdb"),
                "-D",
                str(self.pgdata),
                "-U",
                DB_SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ],
            what="initialise",
        )
        conf = self.pgdata / "postgresql.conf"
        with conf.open("a") as fh:
            fh.write("\ninclude_if_exists = 'revops.conf'\n")
        return True

    def _write_settings(self) -> None:
        """Per-start settings in a file postgresql.conf includes: no shell quoting through pg_ctl -o."""
        settings = (
            "listen_addresses = '127.0.0.1'\n"
            f"port = {self.port}\n"
            "unix_socket_directories = ''\n"
            "max_connections = 200\n"
            "shared_buffers = '1GB'\n"
            "maintenance_work_mem = '256MB'\n"
            # bulk loads write hundreds of MB of WAL: at the 1GB default every few loads force a checkpoint (the
            # log warns "checkpoints are occurring too frequently") and the next writes log whole pages again
            "max_wal_size = '4GB'\n"
            "checkpoint_timeout = '15min'\n"
            + ("fsync = on\n" if self.durable else "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        )
        path = self.pgdata / "revops.conf"
        path.write_text(settings)
        if os.geteuid() == 0:
            entry = _ensure_server_user()
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _clear_stale_lock(self) -> None:
        status = self.status()
        pid_file = self.pgdata / "postmaster.pid"
        if not status.running and pid_file.exists():
            pid_file.unlink()

    def _check_port_free(self) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Postgres does: TIME_WAIT is not "busy"
            try:
                sock.bind(("127.0.0.1", self.port))
            except OSError as err:
                if err.errno == errno.EADDRINUSE:
                    raise EmbeddedServerError(
                        f"port {self.port} on 127.0.0.1 is already in use by another program; "
                        "choose another with REVOPS_PG_PORT=<port> (or stop that program)"
                    ) from None
                raise

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg2.connect(self.dsn("postgres"), connect_timeout=2).close()
                return
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise EmbeddedServerError(
                        f"the embedded Postgres did not accept connections on port {self.port}; see {self.log_path}"
                    ) from None
                time.sleep(0.2)

    def _log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _port_accepts(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _is_postgres_process(pid: int) -> bool:
    try:
        import psutil

        proc = psutil.Process(pid)
        return proc.is_running() and "postgres" in proc.name() and proc.status() != psutil.STATUS_ZOMBIE
    except Exception:
        return False


def _ensure_server_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        subprocess.run([useradd, "--system", "-s", "/usr/sbin/nologin", SERVER_USER], check=True, capture_output=True)
        return pwd.getpwnam(SERVER_USER)


def _make_traversable(path: Path) -> None:
    """Let the server user reach `path` (o+x on each parent), as pgserver itself does."""
    for parent in list(path.parents):
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o011)
    bin_dir = _bin_dir()
    for parent in [bin_dir.parent, *bin_dir.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o011)


class _autocommit:
    """`with _autocommit(dsn) as cur:` for DDL that cannot run in a transaction (CREATE DATABASE)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    def __enter__(self):
        self.conn = psycopg2.connect(self.dsn, connect_timeout=10)
        self.conn.autocommit = True
        self.cur = self.conn.cursor()
        return self.cur

    def __exit__(self, *exc) -> None:
        self.cur.close()
        self.conn.close()
