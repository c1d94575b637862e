"""Probabilistic record linkage of report units with splink on an in-memory DuckDB.

One record per report unit (site ad code + advertiser name), described by its first observation
in the year: phone pseudonym, name pseudonym, keyed text hash and simhash, municipality, stated
age and origin. Only pseudonyms and extracted characteristics reach splink; it runs in its own
in-memory DuckDB, never in the warehouse file.

The model is a Fellegi-Sunter model trained on the year itself:
  * u probabilities from random pairs (fixed seed, one DuckDB thread: reproducible);
  * m probabilities by expectation maximisation, once blocked on the phone pseudonym (trains the
    name, text, municipality, age and origin comparisons) and once on name + municipality
    (trains the phone comparison); a session with fewer than ``MIN_EM_PAIRS`` pairs (a year of
    only a few weeks) is skipped and the prior m values in the settings stay;
  * candidate pairs share a phone pseudonym, or a name pseudonym and a municipality, or a text;
  * units are clustered (connected components) over pairs at or above ``MATCH_THRESHOLD``.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import duckdb
import pandas as pd

SPLINK_SEED = 20200825
MATCH_THRESHOLD = 0.95
SIMHASH_NEAR_BITS = 6
SIMHASH_SIMILAR_BITS = 16
MIN_EM_PAIRS = 100  # fewer pairs than this in a training block: skip that EM session
EM_BLOCKS = [["phone_pseudo"], ["name_pseudo", "gm_code"]]
MODEL_COLUMNS = ["phone_pseudo", "name_pseudo", "text_hash", "text_simhash", "gm_code", "age", "origin_country"]


@dataclass(frozen=True)
class LinkageResult:
    """Cluster per report unit, plus what the model learnt (for metadata and plots)."""

    clusters: pd.Series  # unit index -> cluster id (the smallest unit index in the cluster)
    match_weights: pd.DataFrame  # comparison, level, m, u, match weight
    pairs_scored: int
    pairs_linked: int
    prior: float
    training: list[str]  # what the EM sessions were trained on, or why one was skipped


def _settings():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    text = cl.CustomComparison(
        output_column_name="text",
        comparison_levels=[
            cll.NullLevel("text_simhash"),
            cll.ExactMatchLevel("text_hash").configure(label_for_charts="same text"),
            cll.CustomLevel(
                f"bit_count(xor(text_simhash_l, text_simhash_r)) <= {SIMHASH_NEAR_BITS}",
                label_for_charts=f"near-identical text (simhash <= {SIMHASH_NEAR_BITS} bits)",
            ),
            cll.CustomLevel(
                f"bit_count(xor(text_simhash_l, text_simhash_r)) <= {SIMHASH_SIMILAR_BITS}",
                label_for_charts=f"similar text (simhash <= {SIMHASH_SIMILAR_BITS} bits)",
            ),
            cll.ElseLevel(),
        ],
    )
    age = cl.CustomComparison(
        output_column_name="age",
        comparison_levels=[
            cll.NullLevel("age"),
            cll.ExactMatchLevel("age"),
            cll.AbsoluteDifferenceLevel("age", 2).configure(label_for_charts="age within 2 years"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unit",
        comparisons=[
            cl.ExactMatch("phone_pseudo").configure(m_probabilities=[0.9, 0.1]),
            cl.ExactMatch("name_pseudo").configure(m_probabilities=[0.8, 0.2]),
            text.configure(m_probabilities=[0.3, 0.5, 0.15, 0.05], u_probabilities=[0.001, 0.01, 0.5, 0.489]),
            cl.ExactMatch("gm_code").configure(m_probabilities=[0.9, 0.1]),
            age.configure(m_probabilities=[0.8, 0.15, 0.05]),
            cl.ExactMatch("origin_country").configure(m_probabilities=[0.95, 0.05]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("phone_pseudo"),
            block_on("name_pseudo", "gm_code"),
            block_on("text_hash"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def _pair_count(frame: pd.DataFrame, cols: list[str]) -> int:
    """Record pairs that agree on every column in ``cols`` (what a blocking rule on them generates)."""
    sizes = frame.dropna(subset=cols).groupby(cols).size()
    return int((sizes * (sizes - 1) // 2).sum())


def _weights(model: dict) -> pd.DataFrame:
    rows = []
    for comp in model["comparisons"]:
        for level in comp["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            rows.append({"comparison": comp["output_column_name"], "level": level.get("label_for_charts", ""),
                         "m": m, "u": u, "match_weight": weight})
    return pd.DataFrame(rows)


def link(units: pd.DataFrame) -> LinkageResult:
    """Cluster report units; ``units`` has an integer ``unit`` column and the ``MODEL_COLUMNS``."""
    from splink import DuckDBAPI, Linker, block_on

    # splink warns about comparison levels EM never saw; the match-weight table in the metadata shows them
    logging.getLogger("splink").setLevel(logging.ERROR)
    con = duckdb.connect(":memory:", config={"threads": 1})
    try:
        frame = units[["unit", *MODEL_COLUMNS]].copy()
        frame["text_simhash"] = frame["text_simhash"].astype("Int64")
        frame["age"] = frame["age"].astype("Int64")
        db_api = DuckDBAPI(con)
        linker = Linker(db_api.register(frame), _settings(), log_level=None)
        training: list[str] = []
        deterministic = [["phone_pseudo", "name_pseudo"], ["name_pseudo", "gm_code", "text_hash"]]
        if any(_pair_count(frame, cols) for cols in deterministic):
            linker.training.estimate_probability_two_random_records_match(
                [block_on(*cols) for cols in deterministic], recall=0.8
            )
        linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=SPLINK_SEED)
        for cols in EM_BLOCKS:
            n = _pair_count(frame, cols)
            if n >= MIN_EM_PAIRS:
                linker.training.estimate_parameters_using_expectation_maximisation(block_on(*cols))
                training.append(f"EM blocked on {' + '.join(cols)}: {n} pairs")
            else:  # too few pairs to learn from (a short or tiny year): the prior m values stay
                training.append(f"EM blocked on {' + '.join(cols)} skipped: {n} pairs (< {MIN_EM_PAIRS}); prior m kept")
        predictions = linker.inference.predict(threshold_match_probability=0.01)
        clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=MATCH_THRESHOLD
        ).as_pandas_dataframe()
        pairs = predictions.as_pandas_dataframe()
        model = linker.misc.save_model_to_json()
    finally:
        con.close()
    clusters = clustered.set_index("unit")["cluster_id"]
    # a cluster id of our own: the smallest unit index in the cluster (independent of splink's naming)
    first = clusters.reset_index().groupby("cluster_id")["unit"].transform("min")
    return LinkageResult(
        clusters=pd.Series(first.to_numpy(), index=clusters.index).sort_index(),
        match_weights=_weights(model),
        pairs_scored=len(pairs),
        pairs_linked=int((pairs["match_probability"] >= MATCH_THRESHOLD).sum()),
        prior=float(model["probability_two_random_records_match"]),
        training=training,
    )
