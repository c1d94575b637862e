"""Every environment variable the project reads, with its default: the one place to look.

Relative paths are resolved against the working directory (the repository root
when started with ``make`` or ``dagster dev``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import dagster as dg


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("SEKSWERK_DATA_DIR", "data", "root of everything the pipeline writes (raw snapshots, reports)"),
        Setting("SEKSWERK_DB_PATH", "{data}/warehouse.duckdb", "DuckDB warehouse file (default: inside SEKSWERK_DATA_DIR)"),
        Setting(
            "SEKSWERK_REFERENCE_DIR",
            None,
            "folder with the CBS municipality lists, places, mergers and boundaries; unset -> the data packaged in "
            "sekswerk_assets/reference/data (1 January 2021-2026), plus years fetched with "
            "`python -m sekswerk_assets.reference update --year Y` into $SEKSWERK_DATA_DIR/reference",
        ),
        Setting("SEKSWERK_SNAPSHOT_KEY", None, "AES-256 key (urlsafe base64, 32 bytes) encrypting raw snapshots; dev key generated if unset"),
        Setting("SEKSWERK_PSEUDONYM_KEY", None, "HMAC-SHA256 key for pseudonyms; must stay the same across years"),
        Setting("SEKSWERK_CHROMIUM_PATH", None, "Chromium executable; default: Playwright's own browser, else /usr/bin/chromium"),
        Setting("SEKSWERK_KINKY_URL", None, "base URL of the kinky site; unset -> embedded sandbox"),
        Setting("SEKSWERK_SEXJOBS_URL", None, "base URL of the sexjobs site; unset -> embedded sandbox"),
        Setting("SEKSWERK_TOPESCORTBABES_URL", None, "base URL of the topescortbabes site; unset -> embedded sandbox"),
        Setting("SEKSWERK_SANDBOX_SCALE", "1.0", "population scale of the embedded sandbox (0.05 for fast tests)"),
        Setting("SEKSWERK_SURVEY_DIR", "{data}/survey", "folder with one sub-folder per measurement year of survey exports (default: inside SEKSWERK_DATA_DIR)"),
        Setting("SEKSWERK_AUTOMATION", "off", "on: the automation, freshness and alert sensors start by themselves"),
        Setting("SEKSWERK_GIT_URL", None, "web URL of the repository, for source links in the UI (default: origin remote)"),
        Setting("SEKSWERK_GIT_BRANCH", "main", "branch the source links point at"),
        Setting("SEKSWERK_ALERT_WEBHOOK", None, "URL that receives a JSON message per failed run and failed ERROR check"),
    ]
}


def get(name: str) -> str | None:
    """Current value of a setting (environment first, then the default)."""
    value = os.environ.get(name)
    return value if value not in (None, "") else _default(name)


def _default(name: str) -> str | None:
    """The default of a setting; ``{data}`` in it stands for the current ``SEKSWERK_DATA_DIR``."""
    default = SETTINGS[name].default
    if default and "{data}" in default:
        return default.replace("{data}", get("SEKSWERK_DATA_DIR"))
    return default


def config_value(name: str):
    """Resource config value: ``dg.EnvVar`` when the variable is set (shown as such in the UI), else the default."""
    if os.environ.get(name):
        return dg.EnvVar(name)
    return _default(name)
