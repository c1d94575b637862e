"""Timeline of postings: lifetimes, weekly on/off and re-posts, calibrated to the report's weekly figures."""

from __future__ import annotations

import dataclasses

import numpy as np

from .common import scaled_round
from .config import SandboxConfig


@dataclasses.dataclass
class _Timeline:
    start: np.ndarray        # week of first appearance (-1: online before the window)
    end: np.ndarray          # week of last appearance (n_weeks: still alive after the window)
    once: np.ndarray         # posting online in exactly one week by construction
    repost_of: np.ndarray    # posting index re-posted (-1: original)
    on_posting: np.ndarray   # (posting, week) pairs online
    on_week: np.ndarray
    planned: tuple[float, float]  # planned multi-week ends and seen-once postings


def calibrated_timeline(cfg: SandboxConfig, seed: np.random.SeedSequence) -> _Timeline:
    """Run the timeline a few times, rescaling the closure and seen-once streams so that the
    number of unique ads and of seen-once ads in the window hit their targets."""
    tl = cfg.timeline
    p_target = tl.unique_ads_total * cfg.scale
    o_target = tl.seen_once_total * cfg.scale
    f_close, f_once = 1.0, 1.0
    timeline = _simulate_timeline(cfg, np.random.default_rng(seed), f_close, f_once)
    for _ in range(tl.calibration_passes):
        n_obs = np.bincount(timeline.on_posting, minlength=timeline.start.size)
        p_now = float((n_obs > 0).sum())
        o_now = float((n_obs == 1).sum())
        planned_end, planned_once = timeline.planned
        f_once *= max(0.2, 1.0 + (o_target - o_now) / max(planned_once, 1.0))
        f_close *= max(0.2, 1.0 + (p_target - p_now - (o_target - o_now)) / max(planned_end, 1.0))
        timeline = _simulate_timeline(cfg, np.random.default_rng(seed), f_close, f_once)
    return timeline


def _simulate_timeline(
    cfg: SandboxConfig, rng: np.random.Generator, close_factor: float = 1.0, once_factor: float = 1.0
) -> _Timeline:
    tl = cfg.timeline
    n_weeks = cfg.n_weeks
    s = cfg.scale
    target_u = cfg.curve(tl.active_unique_target) * s
    closures = cfg.curve(tl.closures_target) * s
    shape = cfg.curve(tl.seen_once_shape)
    once_target = shape / shape.sum() * tl.seen_once_total * s
    ends_target = np.maximum(closures - once_target, 0.0) * close_factor
    # in the first week every ending ad is seen once (its earlier weeks are not observed)
    once_plan = once_target * once_factor
    once_plan[0] = max(once_plan[0] - ends_target[0], 0.0)
    once_n = scaled_round(rng, once_plan)
    ends_n = scaled_round(rng, ends_target)
    pi = cfg.curve(tl.online_share)
    off_rates = cfg.curve(tl.off_rate)
    min_new = tl.min_new_per_week * s

    cap = int((target_u.max() * 1.6 + (ends_n.sum() + once_n.sum()) * 1.6) + 1000)
    start = np.full(cap, -1, np.int64)
    end = np.full(cap, n_weeks, np.int64)
    once = np.zeros(cap, bool)
    repost_of = np.full(cap, -1, np.int64)
    reposted = np.zeros(cap, bool)
    prev_on = np.zeros(cap, bool)
    n = 0

    # stock: postings already alive before the first measurement
    s0 = int(ends_n[0])
    n_stock = int(round((target_u[0] - once_n[0] - ends_n[0] - s0) / pi[0] + ends_n[0]))
    start[:n_stock] = -1
    prev_on[:n_stock] = rng.random(n_stock) < pi[0]
    n = n_stock
    alive = np.arange(n_stock)
    on_p: list[np.ndarray] = []
    on_w: list[np.ndarray] = []
    lo_gap, hi_gap = tl.repost_gap_weeks

    for w in range(n_weeks):
        # ends among postings that started before this week
        eligible = alive[start[alive] < w]
        k_end = min(int(ends_n[w]), eligible.size)
        enders = rng.choice(eligible, size=k_end, replace=False) if k_end else np.empty(0, np.int64)
        end[enders] = w
        is_ender = np.zeros(cap, bool)
        is_ender[enders] = True
        middle = eligible[~is_ender[eligible]]
        # Markov on/off for postings inside their lifetime, tuned to the online share
        was_on = prev_on[middle]
        stay = rng.random(middle.size) >= off_rates[w]
        n_on_stay = int((was_on & stay).sum())
        n_off = int((~was_on).sum())
        want_on = pi[w] * middle.size
        b = 0.0 if n_off == 0 else float(np.clip((want_on - n_on_stay) / n_off, 0.0, 1.0))
        now_on = np.where(was_on, stay, rng.random(middle.size) < b)
        prev_on[middle] = now_on
        prev_on[enders] = True
        middle_on = middle[now_on]
        # new multi-week postings fill the gap to the target of active ads
        if w == 0:
            n_new = s0
        else:
            n_new = int(round(target_u[w] - once_n[w] - enders.size - middle_on.size))
            n_new = max(n_new, int(scaled_round(rng, min_new)))
        new_idx = np.arange(n, n + n_new)
        start[new_idx] = w
        prev_on[new_idx] = True
        # some new postings are re-posts of an ended posting under a new ad code
        n_rep = int(scaled_round(rng, tl.repost_rate * n_new))
        cand = np.flatnonzero(
            (end[:n] >= w - hi_gap) & (end[:n] <= w - lo_gap) & ~once[:n] & ~reposted[:n]
        )
        n_rep = min(n_rep, cand.size)
        if n_rep:
            orig = rng.choice(cand, size=n_rep, replace=False)
            repost_of[new_idx[:n_rep]] = orig
            reposted[orig] = True
        n += n_new
        # seen-once postings
        once_idx = np.arange(n, n + int(once_n[w]))
        start[once_idx] = w
        end[once_idx] = w
        once[once_idx] = True
        n += once_idx.size
        on_now = np.concatenate([enders, middle_on, new_idx, once_idx])
        on_p.append(on_now)
        on_w.append(np.full(on_now.size, w, np.int64))
        alive = np.concatenate([middle, new_idx])

    return _Timeline(
        start=start[:n].copy(),
        end=end[:n].copy(),
        once=once[:n].copy(),
        repost_of=repost_of[:n].copy(),
        on_posting=np.concatenate(on_p),
        on_week=np.concatenate(on_w),
        planned=(float(ends_n.sum()), float(once_n.sum())),
    )
