"""Configuration of the sandbox: one YAML file, loaded into frozen pydantic models.

Every tunable of the simulated ad websites lives in ``config.yaml`` next to this module.
``load_config(path=None, **overrides)`` reads it (or another file) and applies overrides.
Overrides are top-level keys (``scale=0.05``), nested dicts that are merged
(``faults={"http_5xx": 0.1}``) or double-underscore paths (``faults__http_5xx=0.1``).
Fault settings can also come from environment variables ``SANDBOX_FAULT_<NAME>``
(e.g. ``SANDBOX_FAULT_HTTP_5XX=0.2``) and ``SANDBOX_LAYOUT_CHANGE=1``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field

DEFAULT_CONFIG_PATH = Path(__file__).with_name("config.yaml")
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REFERENCE_DIR = str(Path(__file__).resolve().parents[1] / "reference" / "data")  # packaged CBS data

Anchors = list[tuple[str, float]]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TimelineConfig(_Frozen):
    active_unique_target: Anchors
    closures_target: Anchors
    seen_once_shape: Anchors
    seen_once_total: float
    unique_ads_total: float
    calibration_passes: int = 4
    online_share: Anchors
    off_rate: Anchors
    min_new_per_week: float
    repost_rate: float
    repost_gap_weeks: tuple[int, int]


class SitesConfig(_Frozen):
    names: list[str]
    posting_mix: dict[str, float]
    sexjobs_on_kinky_share: Anchors
    topescortbabes_female_only: bool = True
    kinky_limit_default: int = 30
    kinky_limit_max: int = 200
    sexjobs_per_page: int = 24
    topescortbabes_limit_max: int = 50


class AdvertisersConfig(_Frozen):
    gender: dict[str, float]
    transgender_ads: float
    couples_share: float
    gay_share_of_men: float
    english_text_share: float
    origin_regions: dict[str, float]
    eastern_europe_share_of_europa: float
    countries: dict[str, dict[str, float]]
    age_bands: list[tuple[int, int]]
    age_band_probs: dict[str, list[float]]


class WorkTypesConfig(_Frozen):
    combos: dict[str, float]
    topescortbabes_combos: dict[str, float]
    municipality_type_boost: dict[str, dict[str, float]]
    other_escort_compensation: float = 1.0


class PriceDist(_Frozen):
    values: list[float]
    weights: list[float]
    weights_late: list[float] | None = None


class PricesConfig(_Frozen):
    home: PriceDist
    escort: PriceDist
    separate_prices_share: float
    topescortbabes_premium: float
    massage_only_factor: float


class FillField(_Frozen):
    p: float
    lifetime_slope: float = 0.0


class FillConfig(_Frozen):
    type: FillField
    origin: FillField
    age: FillField
    price: FillField
    municipality: FillField
    topescortbabes_logit_boost: dict[str, float]
    channel: dict[str, dict[str, float]]


class PlacesConfig(_Frozen):
    variant_probs: dict[str, float]
    aliases: dict[str, list[str]]
    official_display_overrides: dict[str, str]


class MunicipalitiesConfig(_Frozen):
    shares: dict[str, float]
    rest_population_exponent: float = 1.0


class LicensedTermsConfig(_Frozen):
    club_licensed: float
    club_nightclub: float
    club_or_privehuis_negation: float
    privehuis_licensed: float
    bureau_licensed: float
    bureau_negation: float
    kvk_licensed: float
    licence_number_share_of_privehuis: float


class TextConfig(_Frozen):
    entity_share: float
    emoji_share: float
    phone_in_text_share: float
    # share of ad texts (per advertiser and site) showing each phenomenon of real ads; see config.yaml
    phenomena: dict[str, float] = {}


class RepostConfig(_Frozen):
    """How a re-post (same advertiser, new ad code) differs from the ad it re-posts."""

    edited_text: float = 0.0      # text re-drawn (other sentences and phrasings, same facts)
    age_shift: float = 0.0        # stated age one or two years off
    other_name: float = 0.0       # another first name
    second_phone: float = 0.0     # a second phone number (the first stays in the text)
    cross_site_no_municipality: float = 0.0  # sexjobs copy of a between-site duplicate omits the place


class LayoutDriftConfig(_Frozen):
    """One site renames a field label from a given week on (``date: null``: no drift)."""

    site: str = "sexjobs"
    field: str = "municipality"
    label: str = "Woonplaats:"
    date: dt.date | None = None


class FaultsConfig(_Frozen):
    """Per-request fault rates (all 0 by default). Never applied to /robots.txt."""

    http_5xx: float = 0.0
    timeout: float = 0.0
    timeout_seconds: float = 20.0
    slow: float = 0.0
    slow_seconds: float = 0.5
    truncated: float = 0.0
    seed: int = 7
    #: paths (with query) starting with one of these always answer 503, e.g. "/advertenties/stellen" or
    #: "/terms": a listing section, one page or the wall that fails after every retry
    fail_paths: tuple[str, ...] = ()


class SandboxConfig(_Frozen):
    """The whole sandbox configuration (see config.yaml for the meaning of each value)."""

    seed: int
    measurement_year: int
    first_week: dt.date
    n_weeks: int
    scale: float = Field(gt=0)
    reference_dir: str | None = None
    timeline: TimelineConfig
    sites: SitesConfig
    advertisers: AdvertisersConfig
    work_types: WorkTypesConfig
    prices: PricesConfig
    fill: FillConfig
    places: PlacesConfig
    municipalities: MunicipalitiesConfig
    licensed_terms: LicensedTermsConfig
    text: TextConfig
    faults: FaultsConfig = FaultsConfig()
    reposts: RepostConfig = RepostConfig()
    layout_drift: LayoutDriftConfig = LayoutDriftConfig()
    layout_change: bool = False
    render_cache_size: int = 50000
    # the first week of the year the curves' anchor dates describe (None: ``first_week``); set by
    # ``for_year`` so the same calibrated sector can be simulated for a later measurement year
    calibration_first_week: dt.date | None = None

    @property
    def weeks(self) -> list[dt.date]:
        """The measurement moments (Tuesdays) of the simulated year."""
        return [self.first_week + dt.timedelta(weeks=i) for i in range(self.n_weeks)]

    def curve(self, anchors: Anchors) -> np.ndarray:
        """Interpolate [date, value] anchors linearly over the weekly measurement moments."""
        origin = self.calibration_first_week or self.first_week
        xs = np.array([(dt.date.fromisoformat(d) - origin).days for d, _ in anchors], float)
        ys = np.array([v for _, v in anchors], float)
        grid = np.array([(w - self.first_week).days for w in self.weeks], float)
        return np.interp(grid, xs, ys)

    def for_year(self, year: int) -> "SandboxConfig":
        """The same calibrated sector in another measurement year: its own weeks and seed, the same curves.

        The curves keep their shape relative to the year's first measurement moment (the Tuesday from
        19 to 25 August); the seed moves with the year, so each year is a different draw of the sector.
        Advertisers are not carried over between simulated years.
        """
        if year == self.measurement_year:
            return self
        first = _first_tuesday(year)
        return self.model_copy(
            update={
                "measurement_year": year,
                "first_week": first,
                "n_weeks": (_first_tuesday(year + 1) - first).days // 7,
                "seed": self.seed + (year - self.measurement_year),
                "calibration_first_week": self.calibration_first_week or self.first_week,
            }
        )

    def drift_week_index(self) -> int | None:
        """First week index showing the layout drift's renamed label (None: no drift in this year)."""
        d = self.layout_drift.date
        if d is None or d > self.weeks[-1]:
            return None
        return next(i for i, w in enumerate(self.weeks) if w >= d)

    def resolved_reference_dir(self) -> Path:
        """Directory with the CBS municipality files: ``reference_dir``, SEKSWERK_REFERENCE_DIR, else the packaged data."""
        raw = self.reference_dir or os.environ.get("SEKSWERK_REFERENCE_DIR") or DEFAULT_REFERENCE_DIR
        path = Path(raw)
        if path.is_absolute():
            return path
        cwd_path = (Path.cwd() / path).resolve()
        if cwd_path.exists():
            return cwd_path
        return (REPO_ROOT / path).resolve()

    def to_yaml(self) -> str:
        """Serialise to YAML that ``load_config`` reads back to an equal config."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


def _first_tuesday(year: int) -> dt.date:
    """First measurement moment of a measurement year: the Tuesday from 19 to 25 August."""
    start = dt.date(year, 8, 19)
    return start + dt.timedelta(days=(1 - start.weekday()) % 7)


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _env_overrides() -> dict[str, Any]:
    faults: dict[str, Any] = {}
    for name in FaultsConfig.model_fields:
        raw = os.environ.get(f"SANDBOX_FAULT_{name.upper()}")
        if raw is not None and raw != "":
            if name == "fail_paths":
                faults[name] = tuple(p for p in raw.split(",") if p)
                continue
            faults[name] = int(raw) if name == "seed" else float(raw)
    out: dict[str, Any] = {"faults": faults} if faults else {}
    layout = os.environ.get("SANDBOX_LAYOUT_CHANGE")
    if layout:
        out["layout_change"] = layout.lower() in {"1", "true", "yes"}
    return out


def load_config(path: str | Path | None = None, **overrides: Any) -> SandboxConfig:
    """Load the sandbox config from ``path`` (default: the packaged config.yaml).

    Precedence: file < environment (SANDBOX_FAULT_*, SANDBOX_LAYOUT_CHANGE) < ``overrides``.
    """
    with open(path or DEFAULT_CONFIG_PATH, encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    data = _deep_merge(data, _env_overrides())
    nested: dict[str, Any] = {}
    for key, value in overrides.items():
        if value is None:
            continue
        parts = key.split("__")
        cursor = nested
        for part in parts[:-1]:
            cursor = cursor.setdefault(part, {})
        cursor[parts[-1]] = value
    data = _deep_merge(data, nested)
    return SandboxConfig.model_validate(data)
