"""Metadata every asset attaches: provenance, synthetic flag, previews and plots."""

from __future__ import annotations

import base64
import functools
import io
import subprocess
from pathlib import Path

import dagster as dg
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def code_version() -> str:
    """Git commit of the running code ("unknown" outside a checkout)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=5
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def provenance(*, synthetic: bool, seed: int | None = None, **extra) -> dict:
    """Standard provenance metadata: code version, synthetic flag and sandbox seed."""
    meta: dict = {"code_version": code_version(), "synthetic": synthetic}
    if synthetic and seed is not None:
        meta["sandbox_seed"] = seed
    meta.update(extra)
    return meta


def table_metadata(df: pd.DataFrame, *, preview_rows: int = 10, preview: bool = True) -> dict:
    """Row count, column schema and (optionally) a Markdown preview of a DataFrame."""
    meta: dict = {
        "dagster/row_count": len(df),
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name=str(c), type=str(t)) for c, t in df.dtypes.items()]
        ),
    }
    if preview:
        meta["preview"] = dg.MetadataValue.md(markdown_preview(df.head(preview_rows)))
    return meta


def markdown_preview(df: pd.DataFrame) -> str:
    """A frame as a Markdown table: "–" for a missing value (never nan or <NA>), text kept as text ("4.20" stays
    "4.20"), numbers in tabulate's usual short form."""

    def cell(v):
        try:
            missing = v is None or bool(pd.isna(v))
        except (TypeError, ValueError):  # list-like cells
            missing = False
        if missing:
            return "–"
        if isinstance(v, float):
            return format(v, "g")
        return v

    return df.astype(object).map(cell).to_markdown(index=False, disable_numparse=True)


def png_metadata(fig) -> dg.MetadataValue:
    """A matplotlib figure as an inline PNG shown in the Dagster UI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    return dg.MetadataValue.md(f"![plot](data:image/png;base64,{data})")
