"""Finding and launching Chromium for Playwright."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

LAUNCH_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # no images at all (Chromium never requests them), no web fonts: cheaper than intercepting every request
    "--blink-settings=imagesEnabled=false",
    "--disable-remote-fonts",
]


class BrowserNotFound(RuntimeError):
    pass


class SandboxUnavailable(RuntimeError):
    """Chromium's own sandbox cannot run here, and the target is a real site."""


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def launch_options(*, local_sandbox_target: bool) -> dict:
    """Playwright launch options for one collection: Chromium's arguments and whether its sandbox runs.

    Playwright itself starts Chromium with ``--no-sandbox`` unless ``chromium_sandbox=True``; so the
    sandbox is asked for explicitly.

    Chromium's own sandbox stays ON for real sites: their JavaScript runs in it. It is switched off only
    when the target is the project's embedded sandbox server on 127.0.0.1 (our own pages) and the platform
    needs it: as root (CI, containers) Chromium refuses to start with its sandbox. Collecting a real site
    as root is refused with a clear message instead of silently dropping the sandbox.
    """
    if not running_as_root():
        return {"args": list(LAUNCH_ARGS), "chromium_sandbox": True}
    if local_sandbox_target:
        return {"args": list(LAUNCH_ARGS), "chromium_sandbox": False}
    raise SandboxUnavailable(
        "real sites are collected with Chromium's sandbox on, which does not run as root: "
        "run the collector (dagster dev / the daemon) as an ordinary user"
    )


#: system browsers, best first. The headless shell (Debian's package ``chromium-headless-shell``) is what
#: Playwright itself runs for ``headless=True`` when it brings its own browsers: the old headless mode,
#: without the full browser's UI layers. Measured on the sandbox week: the browser steps done 0.5 s sooner
#: and half the CPU of Chromium's processes (0.7 s against 1.4 s). The full browser is the fallback.
SYSTEM_BROWSERS = (
    "/usr/lib/chromium/chromium-headless-shell",  # the binary itself (Debian's /usr/bin entry is a shell wrapper)
    "chromium-headless-shell",
    "chromium",
    "chromium-browser",
    "google-chrome",
)


def chromium_executable(configured: str | None = None) -> str | None:
    """The Chromium to launch: the configured path, else Playwright's own build, else a system browser.

    Returns None when Playwright's own browser (``playwright install chromium``) should be used; Playwright
    then picks its own headless shell. Of the system browsers the headless shell goes first (``SYSTEM_BROWSERS``).
    """
    if configured:
        if not Path(configured).exists():
            raise BrowserNotFound(f"SEKSWERK_CHROMIUM_PATH={configured} does not exist")
        return configured
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH", Path.home() / ".cache" / "ms-playwright"))
    if cache.exists() and any(cache.glob("chromium*")):
        return None
    for candidate in SYSTEM_BROWSERS:
        found = candidate if os.path.isabs(candidate) and os.access(candidate, os.X_OK) else shutil.which(candidate)
        if found:
            return found
    raise BrowserNotFound(
        "No Chromium found: run `playwright install chromium`, or `apt-get install chromium-headless-shell` "
        "(or `chromium`), or set SEKSWERK_CHROMIUM_PATH"
    )
