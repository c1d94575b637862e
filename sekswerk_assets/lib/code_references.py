"""Source-code references on every asset: the file and line of its definition, linked to the repository if known.

The link uses ``SEKSWERK_GIT_URL`` (and ``SEKSWERK_GIT_BRANCH``, default ``main``) when set, else the
checkout's ``origin`` remote when it is a web URL; without either, the UI shows local file paths.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import dagster as dg

from sekswerk_assets import settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def git_remote() -> str | None:
    """The repository's web URL, or None."""
    url = settings.get("SEKSWERK_GIT_URL")
    if not url:
        try:
            out = subprocess.run(["git", "-C", str(PROJECT_ROOT), "remote", "get-url", "origin"],
                                 capture_output=True, text=True, timeout=5)
            url = out.stdout.strip() if out.returncode == 0 else None
        except (OSError, subprocess.SubprocessError):
            url = None
    if url and url.startswith("git@") and ":" in url:
        host, path = url[4:].split(":", 1)
        url = f"https://{host}/{path}"
    if not url or not url.startswith(("https://", "http://")):
        return None
    return url.removesuffix(".git")


def with_code_references(defs: dg.Definitions) -> dg.Definitions:
    """The same definitions with code references on every asset definition."""
    assets = list(dg.with_source_code_references(list(defs.assets or [])))
    url = git_remote()
    if url:
        assets = list(dg.link_code_references_to_git(
            assets, git_url=url, git_branch=settings.get("SEKSWERK_GIT_BRANCH") or "main",
            file_path_mapping=dg.AnchorBasedFilePathMapping(
                local_file_anchor=PROJECT_ROOT / "pyproject.toml", file_anchor_path_in_repository="pyproject.toml"),
        ))
    return dg.Definitions(
        assets=assets, asset_checks=defs.asset_checks, jobs=defs.jobs, schedules=defs.schedules, sensors=defs.sensors,
        resources=defs.resources, executor=defs.executor, loggers=defs.loggers, metadata=defs.metadata,
    )
