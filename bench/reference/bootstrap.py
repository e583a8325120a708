"""Bootstrap percentile intervals of the IQM (rliable's workload), NumPy, float64.

For each of the methods (rows of `scores`, n runs each): `reps` bootstrap resamples of the n runs
(indices drawn with replacement), the interquartile mean of each resample (sort, drop floor(n/4)
values at each end, as scipy.stats.trim_mean(x, 0.25)), and the 2.5 / 97.5 percentiles (linear
interpolation, numpy's default). Vectorised over the replicates, as rliable does it.
"""
import numpy as np

from common import emit, load_bundle, parse_args, time_reps

args = parse_args({"--reps": {"type": int, "default": 5}})
s, a = load_bundle(args.bundle)
scores = a["scores"]
B = int(s["reps"])
level = float(s["level"])
m, n = scores.shape
cut = n // 4


def iqm_rows(x):
    return np.sort(x, axis=-1)[..., cut:n - cut].mean(axis=-1)


def run():
    rng = np.random.default_rng(int(s["seed"]))
    out = []
    for j in range(m):
        x = scores[j]
        idx = rng.integers(0, n, size=(B, n))
        reps = iqm_rows(x[idx])
        lo, hi = np.percentile(reps, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
        out.append([float(iqm_rows(x)), float(lo), float(hi)])
    return out


ms, times, cis = time_reps(run, args.reps)
emit({"rows": {"numpy": {"ms": ms, "cis": cis, "version": np.__version__}}})
