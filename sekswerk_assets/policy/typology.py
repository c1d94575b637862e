"""Policy typology per municipality (section 3.3): policy status, policy types (q9), regime per type of sex work.

Rules (this project's reading; the report prints only Tables 3.1, 3.4, 3.6 and the q11 figure):

* ``has_policy`` from q5 of the full survey or the follow-up: 1 yes, 2 in development, 3 no (empty: unknown).
* ``type_*`` from q9 (survey and follow-up): maximum, zero, de-facto zero, phase-out, spatial planning, other.
* ``regime_<type>`` per type of sex work, one of :data:`REGIMES`:

  1. no policy (q5 is 2 or 3) -> ``no_policy``; q5 unknown -> ``unknown``;
  2. policy differs per type (q11 == 1) and the type's question (q12-q17) is answered -> the most restrictive
     ticked option, in the order of :data:`PRECEDENCE` (q16 covers home and independent escort work;
     q16 "non-commercial allowed" = tolerated, "commercial not allowed" = prohibited; q15's duplicated
     phase-out option counts as phase-out);
  3. otherwise (same policy for every type, type not asked about, or follow-up municipality) -> from the
     general types of q9: zero/de-facto zero -> prohibited, phase-out, maximum, spatial planning -> zone
     (same precedence); nothing ticked -> ``other`` if "Anders", else ``unspecified``;
  4. a regime of tolerated / other / no_policy / unspecified becomes ``licence_required`` where q27 says
     the type needs a licence (q27 is asked to the 67 with a licensing system and sex work).

* ``typology`` summarises q5 and q9: no_policy, in_development, unknown, or for municipalities with a policy
  mixed_maximum_zero (maximum and a (de-facto) zero policy), zero, maximum, phase_out, spatial_planning,
  other, unspecified (first that applies).
"""

import pandas as pd

SEX_WORK_TYPES = ("window", "club", "escort", "home", "independent_escort", "massage", "street", "other")
# q27 row per type of sex work (printed order of the grid)
Q27_ROW = {t: r for r, t in enumerate(SEX_WORK_TYPES, 1)}
REGIMES = ("prohibited", "phase_out", "maximum", "zone", "licence_required", "tolerated", "other", "no_policy",
           "unspecified", "unknown")
PRECEDENCE = ("prohibited", "phase_out", "maximum", "zone", "licence_required", "tolerated", "other", "no_policy")
WEAK = {"tolerated", "other", "no_policy", "unspecified"}

_GENERIC = {1: "no_policy", 2: "maximum", 3: "prohibited", 4: "tolerated", 5: "zone", 6: "phase_out", 7: "other"}
# type of sex work -> (question, option -> regime)
REGIME_QUESTIONS = {
    "window": ("q12", _GENERIC),
    "club": ("q13", _GENERIC),
    "massage": ("q14", {**_GENERIC, 5: "licence_required"}),
    "escort": ("q15", {1: "no_policy", 2: "maximum", 3: "prohibited", 4: "prohibited", 5: "phase_out",
                       6: "phase_out", 7: "other"}),
    "home": ("q16", {1: "no_policy", 2: "tolerated", 3: "prohibited", 4: "maximum", 5: "prohibited",
                     6: "prohibited", 7: "phase_out"}),
    "independent_escort": ("q16", {1: "no_policy", 2: "tolerated", 3: "prohibited", 4: "maximum", 5: "prohibited",
                                   6: "prohibited", 7: "phase_out"}),
    "street": ("q17", _GENERIC),
}
POLICY_TYPES = {  # q9 option -> column
    1: "type_maximum", 2: "type_zero", 3: "type_de_facto_zero", 4: "type_phase_out", 5: "type_spatial_planning",
    6: "type_other",
}
HAS_POLICY = {1: "yes", 2: "in_development", 3: "no"}
TYPOLOGIES = ("mixed_maximum_zero", "zero", "maximum", "phase_out", "spatial_planning", "other", "unspecified",
              "in_development", "no_policy", "unknown")


def _first(candidates) -> str | None:
    for r in PRECEDENCE:
        if r in candidates:
            return r
    return None


def _flag(v) -> bool:
    return not pd.isna(v) and int(v) == 1


def _general_regime(types: dict[str, bool]) -> str:
    cand = set()
    if types["type_zero"] or types["type_de_facto_zero"]:
        cand.add("prohibited")
    if types["type_phase_out"]:
        cand.add("phase_out")
    if types["type_maximum"]:
        cand.add("maximum")
    if types["type_spatial_planning"]:
        cand.add("zone")
    return _first(cand) or ("other" if types["type_other"] else "unspecified")


def typology_of(has_policy: str, types: dict[str, bool]) -> str:
    if has_policy != "yes":
        return {"no": "no_policy", "in_development": "in_development"}.get(has_policy, "unknown")
    zero = types["type_zero"] or types["type_de_facto_zero"]
    if zero and types["type_maximum"]:
        return "mixed_maximum_zero"
    if zero:
        return "zero"
    for col, name in (("type_maximum", "maximum"), ("type_phase_out", "phase_out"),
                      ("type_spatial_planning", "spatial_planning"), ("type_other", "other")):
        if types[col]:
            return name
    return "unspecified"


def classify(rec: dict, export: str, asked_q27: bool) -> dict:
    """One municipality's typology from its answers (``rec``: codebook column -> value, NA for no answer)."""
    q5 = rec.get("q5")
    has_policy = "unknown" if pd.isna(q5) else HAS_POLICY[int(q5)]
    types = {col: _flag(rec.get(f"q9_{k}")) for k, col in POLICY_TYPES.items()}
    q11 = rec.get("q11")
    differs = "not_asked" if export == "followup" or has_policy != "yes" else (
        "no_answer" if pd.isna(q11) else ("yes" if int(q11) == 1 else "no"))
    out = {"has_policy": has_policy, **types, "differs_per_type": differs}
    for t in SEX_WORK_TYPES:
        lic_v = rec.get(f"q27_r{Q27_ROW[t]}")
        licence = "not_asked" if not asked_q27 else ("no_answer" if pd.isna(lic_v) else ("yes" if int(lic_v) == 1 else "no"))
        out[f"licence_required_{t}"] = licence
        if has_policy in ("no", "in_development"):
            regime = "no_policy"
        elif has_policy == "unknown":
            regime = "unknown"
        else:
            regime = None
            if differs == "yes" and t in REGIME_QUESTIONS:
                q, mapping = REGIME_QUESTIONS[t]
                ticked = {mapping[k] for k in mapping if _flag(rec.get(f"{q}_{k}"))}
                regime = _first(ticked)
            if regime is None:
                regime = _general_regime(types)
            if regime in WEAK and licence == "yes":
                regime = "licence_required"
        out[f"regime_{t}"] = regime
    out["typology"] = typology_of(has_policy, types)
    return out


def build_typology(full: pd.DataFrame, followup: pd.DataFrame, asked_q27: pd.Series) -> pd.DataFrame:
    """Per municipality of both exports: status, types, regimes, licence requirement and typology."""
    rows = []
    for export, wide in (("full", full), ("followup", followup)):
        if wide is None or wide.empty:
            continue
        for idx, rec in zip(wide.index, wide.to_dict("records")):
            asked = bool(asked_q27.get(idx, False)) if export == "full" else False
            rows.append({"gm_code": rec["gm_code"], "size_class": rec["size_class"], "export": export,
                         **classify(rec, export, asked)})
    cols = (["gm_code", "size_class", "export", "has_policy", *POLICY_TYPES.values(), "differs_per_type"]
            + [f"regime_{t}" for t in SEX_WORK_TYPES] + [f"licence_required_{t}" for t in SEX_WORK_TYPES] + ["typology"])
    return pd.DataFrame(rows, columns=cols)
