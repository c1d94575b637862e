"""Ad lifecycle: new, closed, seen-once and active ads per measurement (Figures 2.2-2.5).

Weekly, a running state (first week, last week, weeks seen per unique ad) is carried from the
previous collected week to the next, so a week's cost does not depend on how many weeks came
before it. 'Closed' and 'seen once' need later weeks: the weekly rows give them provisionally
for the previous measurement; the yearly series recomputes them finally.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

STATE_COLUMNS = ["measurement_week", "unique_ad_key", "first_week", "last_week", "weeks_seen"]


def weeks_between(a: str, b: str) -> int:
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days // 7


def advance_state(previous: pd.DataFrame | None, previous_week: str | None, week: str, keys: pd.Series):
    """New state after ``week`` and the lifecycle row of ``week``."""
    current = pd.Index(keys.unique())
    if previous is None or previous.empty:
        state = pd.DataFrame({"unique_ad_key": current, "first_week": week, "last_week": week, "weeks_seen": 1})
        row = {"previous_week": None, "new_vs_previous": None, "new_vs_previous_five": None,
               "new_vs_all_previous": None, "closed_previous_provisional": None,
               "seen_once_previous_provisional": None, "history_weeks": 0}
    else:
        prev = previous.drop(columns=["measurement_week"], errors="ignore").set_index("unique_ad_key")
        # set operations as masks over the unique keys (hash look-ups, no sorting but the new keys')
        last = prev["last_week"]
        five_back = (dt.date.fromisoformat(week) - dt.timedelta(weeks=5)).isoformat()
        in_current = prev.index.isin(current)  # the state's ads seen again this week
        in_prev = current.isin(prev.index)
        was_prev = (last == previous_week).to_numpy()
        gone = was_prev & ~in_current
        row = {
            "previous_week": previous_week,
            "new_vs_previous": int((~current.isin(prev.index[was_prev])).sum()),
            "new_vs_previous_five": int((~current.isin(prev.index[(last >= five_back).to_numpy()])).sum()),
            "new_vs_all_previous": int((~in_prev).sum()),
            "closed_previous_provisional": int(gone.sum()),
            "seen_once_previous_provisional": int((prev["weeks_seen"].to_numpy()[gone] == 1).sum()),
            "history_weeks": int(weeks_between(prev["first_week"].min(), week)),
        }
        state = prev.copy()
        state["last_week"] = last.mask(in_current, week)
        state["weeks_seen"] = prev["weeks_seen"].mask(in_current, prev["weeks_seen"] + 1)
        new = current[~in_prev].sort_values()  # as ``current.difference(prev.index)`` orders them
        fresh = pd.DataFrame({"first_week": week, "last_week": week, "weeks_seen": 1}, index=new)
        state = pd.concat([state, fresh]).rename_axis("unique_ad_key").reset_index()
    state.insert(0, "measurement_week", week)
    row = {"measurement_week": week, "active": len(current), **row}
    return state[STATE_COLUMNS], row


def year_series(presence: pd.DataFrame, year: str, year_weeks: list[str]) -> pd.DataFrame:
    """Final lifecycle series for the weeks of a year from (measurement_week, unique_ad_key) presence rows.

    ``presence`` may hold weeks before and after the year: they decide 'new vs all previous'
    and 'closed' at the edges. Weeks without a collection are kept (``collected`` false) with every
    count missing (null), never 0, so the gap shows in the series and in its plots.
    """
    # one (ad, week) pair per presence, as codes: weeks in sorted order (the collected weeks), ads in any order
    week_codes, weeks = pd.factorize(presence["measurement_week"], sort=True)
    ad_codes, _ = pd.factorize(presence["unique_ad_key"])
    collected = list(weeks)
    n_weeks = max(len(collected), 1)
    pairs = np.unique(ad_codes.astype(np.int64) * n_weeks + week_codes)  # sorted by ad, then week
    ad, wk = np.divmod(pairs, n_weeks)
    same_ad_before = np.r_[False, ad[1:] == ad[:-1]]
    same_ad_after = np.r_[ad[1:] == ad[:-1], False]
    # the ad's previous collected week (index into ``collected``), or far before every week
    previous = np.where(same_ad_before, np.r_[0, wk[:-1]], -(len(collected) + 10))
    seen_weeks = np.bincount(ad, minlength=int(ad.max()) + 1 if len(ad) else 0)

    def per_week(flags) -> np.ndarray:
        return np.bincount(wk, weights=np.asarray(flags, dtype=np.float64), minlength=len(collected)).astype(np.int64)

    active = np.bincount(wk, minlength=len(collected))
    not_in_previous = per_week(previous != wk - 1)
    not_in_five = per_week(previous < wk - 5)  # none of the five collected weeks before holds the ad
    first_seen = per_week(~same_ad_before)
    last_seen = per_week(~same_ad_after)
    once = per_week(seen_weeks[ad] == 1)
    index = {w: i for i, w in enumerate(collected)}
    data_end = collected[-1] if collected else None
    rows = []
    for week in year_weeks:
        i = index.get(week)
        if i is None:
            rows.append({"measurement_week": week, "active": None, "new_vs_previous": None, "new_vs_previous_five": None,
                         "new_vs_all_previous": None, "closed": None, "seen_once": None, "collected": False,
                         "uncertain_new": True, "uncertain_closed": True})
            continue
        earlier = i > 0  # collected weeks before this one
        rows.append(
            {
                "measurement_week": week,
                "active": int(active[i]),
                "new_vs_previous": int(not_in_previous[i]) if earlier else None,
                "new_vs_previous_five": int(not_in_five[i]) if earlier else None,
                "new_vs_all_previous": int(first_seen[i]) if earlier else None,
                "closed": int(last_seen[i]),
                "seen_once": int(once[i]),
                "collected": True,
                # fewer than five earlier measurements: 'new' is overstated
                "uncertain_new": i < 5,
                # within four weeks of the last collection: 'closed' may still reopen
                "uncertain_closed": weeks_between(week, data_end) < 4,
            }
        )
    out = pd.DataFrame(rows)
    out.insert(0, "measurement_year", year)
    for c in ("active", "new_vs_previous", "new_vs_previous_five", "new_vs_all_previous", "closed", "seen_once"):
        out[c] = out[c].astype("Int64")
    return out
