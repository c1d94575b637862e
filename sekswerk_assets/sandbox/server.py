"""HTTP server of the sandbox: one starlette app per site, three uvicorn servers in one process.

``serve(config, ...)`` runs the servers (used by the CLI); ``SandboxServer`` launches the CLI as a
subprocess, waits for its port file and health-checks ``/robots.txt``.

Time: a request may carry ``X-Sandbox-Week: YYYY-MM-DD`` (a Tuesday of the simulated year);
without it the current real week is used, or the latest simulated week when today lies outside
the simulated year. Unknown weeks give a 404 with a clear text.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, quote

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .config import SandboxConfig, load_config
from .population import SITES, Population, simulate
from .render import KINKY_SECTIONS, SEXJOBS_SECTIONS, Renderer

log = logging.getLogger("sekswerk_assets.sandbox.server")

HTML = "text/html; charset=utf-8"
# 1x1 transparent GIF used for every /img/ request
PLACEHOLDER_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
    b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


class FaultInjector:
    """Seeded per-request faults: 5xx, long delay ('timeout'), slow response, truncated body."""

    def __init__(self, cfg: SandboxConfig, site: str) -> None:
        self.f = cfg.faults
        self.rng = random.Random(f"{cfg.faults.seed}-{site}")
        self.enabled = any(x > 0 for x in (self.f.http_5xx, self.f.timeout, self.f.slow, self.f.truncated))

    def draw(self) -> tuple[str | None, float]:
        """Return (fault kind or None, random number for the fault's details)."""
        if not self.enabled:
            return None, 0.0
        u, v = self.rng.random(), self.rng.random()
        edges = (("http_5xx", self.f.http_5xx), ("timeout", self.f.timeout), ("slow", self.f.slow), ("truncated", self.f.truncated))
        acc = 0.0
        for kind, rate in edges:
            acc += rate
            if u < acc:
                return kind, v
        return None, v


class SiteApp:
    """Request handling of one site (walls, week resolution, routing, faults)."""

    def __init__(self, pop: Population, site: str) -> None:
        self.pop = pop
        self.site = site
        cfg = pop.config
        self.cfg = cfg
        self.renderer = Renderer(pop, site, layout_change=cfg.layout_change, cache_size=cfg.render_cache_size)
        self.faults = FaultInjector(cfg, site)
        self.week_index = {w.isoformat(): i for i, w in enumerate(pop.weeks)}
        self.app = Starlette(routes=[Route("/{path:path}", self.handle, methods=["GET", "HEAD", "POST"])])

    # ------------------------------------------------------------------ helpers
    def resolve_week(self, request: Request) -> int | None:
        raw = request.headers.get("x-sandbox-week")
        if raw is None:
            today = dt.date.today()
            first = self.pop.weeks[0]
            idx = (today - first).days // 7
            return idx if 0 <= idx < len(self.pop.weeks) else len(self.pop.weeks) - 1
        return self.week_index.get(raw.strip())

    @staticmethod
    def _int(qs: dict[str, list[str]], key: str, default: int) -> int:
        try:
            return int(qs.get(key, [str(default)])[0])
        except ValueError:
            return default

    @staticmethod
    def _redirect(location: str, cookie: str | None = None) -> Response:
        resp = Response(b"", status_code=302, headers={"Location": location})
        if cookie:
            name, value = cookie.split("=", 1)
            resp.set_cookie(name, value, path="/", samesite="lax")
        return resp

    async def handle(self, request: Request) -> Response:
        path = "/" + request.path_params.get("path", "")
        if path == "/robots.txt":
            return Response(self.renderer.robots(), media_type="text/plain; charset=utf-8")
        full = path + (f"?{request.url.query}" if request.url.query else "")
        if any(full.startswith(prefix) for prefix in self.cfg.faults.fail_paths):
            return Response(b"503 sandbox fault (fail_paths)", status_code=503, media_type="text/plain")
        kind, v = self.faults.draw()
        if kind == "http_5xx":
            status = (500, 502, 503)[int(v * 3) % 3]
            return Response(f"{status} sandbox fault".encode(), status_code=status, media_type="text/plain")
        if kind == "timeout":
            await asyncio.sleep(self.cfg.faults.timeout_seconds)
        elif kind == "slow":
            await asyncio.sleep(self.cfg.faults.slow_seconds)
        resp = await self.route(request, path)
        if kind == "truncated" and resp.status_code == 200 and len(resp.body) > 10:
            cut = int(len(resp.body) * (0.4 + 0.5 * v))
            resp.body = resp.body[:cut]
            resp.headers["content-length"] = str(len(resp.body))
        return resp

    async def route(self, request: Request, path: str) -> Response:
        if path.startswith("/img/"):
            return Response(PLACEHOLDER_GIF, media_type="image/gif", headers={"Cache-Control": "max-age=86400"})
        qs = parse_qs(request.url.query)
        full = path + (f"?{request.url.query}" if request.url.query else "")
        if self.site == "kinky":
            if path == "/terms":
                return Response(self.renderer.kinky_terms(qs.get("next", ["/"])[0]), media_type=HTML)
            if path == "/terms/accept" and request.method == "POST":
                form = await request.form()
                nxt = str(form.get("next") or "/")
                return self._redirect(nxt if nxt.startswith("/") else "/", "kinky_terms=1")
            if request.cookies.get("kinky_terms") != "1":
                return self._redirect("/terms?next=" + quote(full, safe=""))
        elif self.site == "sexjobs":
            if path == "/consent" and request.method == "POST":
                form = await request.form()
                ret = str(form.get("return") or "/")
                return self._redirect(ret if ret.startswith("/") else "/", "sj_consent=yes")
            if path == "/consent":
                return Response(self.renderer.sexjobs_consent(qs.get("return", ["/"])[0]), media_type=HTML)
            if request.cookies.get("sj_consent") != "yes":
                return self._redirect("/consent?return=" + quote(full, safe=""))
        week = self.resolve_week(request)
        if week is None:
            raw = request.headers.get("x-sandbox-week", "")
            msg = (
                f"Unknown sandbox week {raw!r}: the simulated weeks are the Tuesdays "
                f"{self.pop.weeks[0]} .. {self.pop.weeks[-1]}."
            )
            return Response(msg.encode(), status_code=404, media_type="text/plain; charset=utf-8")
        body = self.dispatch(path, qs, week)
        if body is None:
            return Response(self.renderer.not_found(f"Pagina niet gevonden: {path}"), status_code=404, media_type=HTML)
        content, media = body
        return Response(content, media_type=media)

    def dispatch(self, path: str, qs: dict[str, list[str]], week: int) -> tuple[bytes, str] | None:
        r = self.renderer
        parts = [p for p in path.split("/") if p]
        sites = self.pop.config.sites
        if self.site == "kinky":
            if not parts:
                return r.kinky_home(week), HTML
            if parts[0] == "advertenties" and len(parts) == 2 and parts[1] in KINKY_SECTIONS:
                page_no = max(1, self._int(qs, "page", 1))
                limit = min(max(1, self._int(qs, "limit", sites.kinky_limit_default)), sites.kinky_limit_max)
                return r.kinky_listing(week, parts[1], page_no, limit), HTML
            if parts[0] == "advertentie" and len(parts) == 2:
                row = r.online(week, parts[1])
                return None if row is None else (r.kinky_ad(row, week), HTML)
            return None
        if self.site == "sexjobs":
            if not parts:
                return r.sexjobs_home(week), HTML
            if parts[0] == "advertenties" and len(parts) == 2 and parts[1] in SEXJOBS_SECTIONS:
                return r.sexjobs_listing(week, parts[1], max(1, self._int(qs, "p", 1))), HTML
            if parts[0] == "advertentie" and len(parts) in (2, 3):
                row = r.online(week, parts[1])
                return None if row is None else (r.sexjobs_ad(row, week), HTML)
            return None
        # topescortbabes
        if not parts or parts == ["escorts"]:
            return r.teb_shell(), HTML
        if parts == ["api", "escorts"]:
            offset = max(0, self._int(qs, "offset", 0))
            limit = min(max(1, self._int(qs, "limit", sites.topescortbabes_limit_max)), sites.topescortbabes_limit_max)
            return r.teb_api(week, offset, limit), "application/json"
        if parts[0] == "escort" and len(parts) == 2 and "-" in parts[1]:
            code = parts[1].rsplit("-", 1)[1]
            row = r.online(week, code)
            return None if row is None else (r.teb_ad(row, week), HTML)
        return None


def build_apps(pop: Population) -> dict[str, Starlette]:
    """One starlette app per site."""
    return {site: SiteApp(pop, site).app for site in SITES}


class _QuietServer(uvicorn.Server):
    """uvicorn server without its own signal handling (several run in one loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _serve_async(pop: Population, host: str, ports: dict[str, int], port_file: str | None) -> None:
    apps = build_apps(pop)
    servers: dict[str, _QuietServer] = {}
    sockets: dict[str, socket.socket] = {}
    for site in SITES:
        # Created as IPPROTO_TCP (not protocol 0): asyncio then sets TCP_NODELAY on every accepted
        # connection, so a keep-alive response is not held back by Nagle meeting delayed ACK (~44 ms).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, ports.get(site, 0)))
        sock.listen(1024)
        sock.setblocking(False)
        sockets[site] = sock
        config = uvicorn.Config(apps[site], log_level="warning", access_log=False, lifespan="off")
        servers[site] = _QuietServer(config)
    urls = {site: f"http://{host}:{sockets[site].getsockname()[1]}" for site in SITES}
    loop = asyncio.get_running_loop()

    def stop(*_: Any) -> None:
        for s in servers.values():
            s.should_exit = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop)
    tasks = [asyncio.create_task(servers[s].serve(sockets=[sockets[s]])) for s in SITES]
    parent = os.environ.get("SANDBOX_PARENT_PID")
    if parent:  # started by SandboxServer: exit when that process dies (even by SIGKILL), leave no orphan

        async def watch_parent() -> None:
            while os.getppid() == int(parent):
                await asyncio.sleep(1.0)
            log.warning("parent process %s is gone: stopping the sandbox", parent)
            stop()

        watcher = asyncio.create_task(watch_parent())  # noqa: F841 (kept referenced until exit)
    while not all(s.started for s in servers.values()):
        if any(t.done() for t in tasks):
            for t in tasks:
                if t.done() and t.exception():
                    raise t.exception()  # type: ignore[misc]
        await asyncio.sleep(0.02)
    if port_file:
        tmp = Path(port_file).with_suffix(".tmp")
        tmp.write_text(json.dumps(urls))
        os.replace(tmp, port_file)
    print(json.dumps(urls), flush=True)
    log.warning("sandbox serving %s", " ".join(f"{k}={v}" for k, v in urls.items()))
    await asyncio.gather(*tasks)


def serve(cfg: SandboxConfig, host: str = "127.0.0.1", ports: dict[str, int] | None = None, port_file: str | None = None) -> None:
    """Build the population and serve the three sites until SIGTERM/SIGINT."""
    pop = simulate(cfg)
    log.warning("sandbox population ready: scale=%s, %d observations, built in %.1fs", cfg.scale, len(pop.observations), pop.build_seconds)
    asyncio.run(_serve_async(pop, host, ports or {}, port_file))


class SandboxServer:
    """Runs the sandbox sites in a subprocess (``python -m sekswerk_assets.sandbox serve``).

    >>> with SandboxServer(load_config(scale=0.05)) as urls:
    ...     urls["kinky"]  # 'http://127.0.0.1:PORT'
    """

    def __init__(self, config: SandboxConfig | None = None, host: str = "127.0.0.1", startup_timeout: float = 180.0) -> None:
        self.config = config or load_config()
        self.host = host
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.urls: dict[str, str] = {}
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None

    def start(self) -> dict[str, str]:
        """Launch the subprocess and return site -> base URL once every site answers."""
        self._tmpdir = tempfile.TemporaryDirectory(prefix="sandbox-")
        tmp = Path(self._tmpdir.name)
        cfg_path = tmp / "config.yaml"
        cfg_path.write_text(self.config.to_yaml(), encoding="utf-8")
        port_file = tmp / "ports.json"
        env = dict(os.environ)
        env["SEKSWERK_REFERENCE_DIR"] = str(self.config.resolved_reference_dir())
        env["SANDBOX_PARENT_PID"] = str(os.getpid())
        for key in [k for k in env if k.startswith("SANDBOX_FAULT_") or k == "SANDBOX_LAYOUT_CHANGE"]:
            del env[key]  # the written config already holds the effective values
        cmd = [sys.executable, "-m", "sekswerk_assets.sandbox", "serve", "--config", str(cfg_path),
               "--host", self.host, "--port-file", str(port_file)]
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, cwd=str(Path.cwd()))
        deadline = time.monotonic() + self.startup_timeout
        while not port_file.exists():
            if self.proc.poll() is not None:
                raise RuntimeError(f"sandbox server exited with code {self.proc.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError("sandbox server did not start in time")
            time.sleep(0.05)
        self.urls = json.loads(port_file.read_text())
        for url in self.urls.values():
            self._health_check(url, deadline)
        return dict(self.urls)

    @staticmethod
    def _health_check(url: str, deadline: float) -> None:
        while True:
            try:
                with urllib.request.urlopen(url + "/robots.txt", timeout=5) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"sandbox site {url} not healthy")
            time.sleep(0.1)

    def stop(self) -> None:
        """Terminate the subprocess (kill it if it does not exit within 10 s)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None

    def __enter__(self) -> dict[str, str]:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
