"""Local services for operating tests: a throwaway PostgreSQL, the Dagster webserver and daemon.

Everything binds to 127.0.0.1 on a free port and is stopped by the fixture that started it.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@contextmanager
def postgres(tmp: Path):
    """A PostgreSQL cluster in ``tmp`` (as user 'postgres' when running as root), yielding connection settings."""
    bindir = pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql")
    port = free_port()
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:  # PostgreSQL refuses to run as root; pytest's tmp dirs are private to root
        tmp = Path(tempfile.mkdtemp(prefix="sekswerk-pg-"))
        tmp.chmod(0o755)
        shutil.chown(tmp, "postgres")
    data = tmp / "pgdata"
    data.mkdir(parents=True, exist_ok=True)
    if as_root:
        shutil.chown(data, "postgres")
    subprocess.run(prefix + [str(bindir / "initdb"), "-D", str(data), "-U", "dagster", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True)
    log = tmp / "pg.log"
    subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
                             f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1", "start"], check=True, capture_output=True)
    try:
        subprocess.run(prefix + [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "dagster", "dagster"],
                       check=True, capture_output=True)
        yield {"SEKSWERK_PG_URL": f"postgresql+psycopg2://dagster@127.0.0.1:{port}/dagster", "port": str(port)}
    finally:
        subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True)
        if as_root:
            shutil.rmtree(tmp, ignore_errors=True)


def wait_http(url: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def _graphql(url: str, query: str) -> dict:
    req = urllib.request.Request(url + "/graphql", data=json.dumps({"query": query}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())["data"]


WORKSPACE = """{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message } } } } } }"""
RELOAD = """mutation { reloadRepositoryLocation(repositoryLocationName: "%s") { __typename } }"""


def location_name(workspace: Path) -> str:
    import yaml

    return yaml.safe_load(workspace.read_text())["load_from"][0]["python_module"]["location_name"]


def wait_code_location(url: str, timeout: float = 300.0, location: str = "sekswerk_assets") -> None:
    """Wait until the code location is loaded; on a slow, overloaded machine its first load can time out,
    so a failed load is reloaded (as a user would press 'Reload definitions')."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        entries = _graphql(url, WORKSPACE)["workspaceOrError"]["locationEntries"]
        entry = entries[0] if entries else None
        if entry and entry["loadStatus"] == "LOADED":
            kind = entry["locationOrLoadError"]["__typename"]
            if kind == "RepositoryLocation":
                return
            last = entry["locationOrLoadError"].get("message")
            _graphql(url, RELOAD % location)
        time.sleep(1.0)
    raise TimeoutError(f"code location not loaded within {timeout:.0f} s: {last}")


def _init_instance(home: Path, env: dict) -> None:
    code = "import dagster as dg; dg.DagsterInstance.get().dispose()"
    subprocess.run([os.sys.executable, "-c", code], env={**os.environ, **env, "DAGSTER_HOME": str(home)},
                   check=True, capture_output=True, timeout=300)


@contextmanager
def dagster_services(home: Path, env: dict, *, daemon: bool = True, workspace: Path | None = None):
    """``dagster-webserver`` (and ``dagster-daemon``) on 127.0.0.1 for ``workspace.yaml``; yields the base URL."""
    workspace = workspace or REPO / "workspace.yaml"
    # create the instance's storage once, here: the webserver and the daemon starting together on an
    # empty DAGSTER_HOME can both stamp the SQLite schema ("alembic_version has more than one head")
    _init_instance(home, env)
    port = free_port()
    bin_dir = Path(os.sys.executable).parent
    full_env = {**os.environ, **env, "DAGSTER_HOME": str(home)}
    procs = []
    log = open(home / "services.log", "w")
    try:
        procs.append(subprocess.Popen(
            [str(bin_dir / "dagster-webserver"), "-w", str(workspace), "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        ))
        if daemon:
            procs.append(subprocess.Popen(
                [str(bin_dir / "dagster-daemon"), "run", "-w", str(workspace)],
                cwd=REPO, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            ))
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/server_info")
        wait_code_location(url, location=location_name(workspace))
        yield url
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        log.close()
