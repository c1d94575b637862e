"""Finding and launching Chromium for Playwright."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class BrowserNotFound(RuntimeError):
    pass


def chromium_executable(configured: str | None = None) -> str | None:
    """The Chromium to launch: the configured path, else Playwright's own build, else a system chromium.

    Returns None when Playwright's own browser (``playwright install chromium``) should be used.
    """
    if configured:
        if not Path(configured).exists():
            raise BrowserNotFound(f"SEKSWERK_CHROMIUM_PATH={configured} does not exist")
        return configured
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH", Path.home() / ".cache" / "ms-playwright"))
    if cache.exists() and any(cache.glob("chromium*")):
        return None
    for candidate in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(candidate)
        if found:
            return found
    raise BrowserNotFound(
        "No Chromium found: run `playwright install chromium`, or `apt-get install chromium`, "
        "or set SEKSWERK_CHROMIUM_PATH"
    )
