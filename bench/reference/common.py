"""Shared helpers of the reference scripts: bundle loading, thread pinning, timing, output.

A bundle is a directory written by the kit (src/bench/bundle.ts): manifest.json with scalars and,
per array, dtype / shape / file; each file holds the raw little-endian values. Every script takes
`<bundle-dir> --threads N` and prints one JSON object as its last line of stdout.
"""
import argparse
import json
import os
import re
import statistics
import time

import numpy as np

_DTYPES = {"float64": "<f8", "float32": "<f4", "int32": "<i4"}


def parse_args(extra=None):
    p = argparse.ArgumentParser()
    p.add_argument("bundle")
    p.add_argument("--threads", type=int, default=1)
    for name, kw in (extra or {}).items():
        p.add_argument(name, **kw)
    return p.parse_args()


def load_bundle(directory):
    with open(os.path.join(directory, "manifest.json")) as f:
        m = json.load(f)
    arrays = {}
    for key, spec in m["arrays"].items():
        a = np.fromfile(os.path.join(directory, spec["file"]), dtype=_DTYPES[spec["dtype"]])
        arrays[key] = a.reshape(spec["shape"]).astype(_DTYPES[spec["dtype"]][1:], copy=False)
    return m["scalars"], arrays


def set_torch_threads(torch, n):
    """Pin torch's intra-op pool to n threads and its inter-op pool to 1."""
    torch.set_num_threads(n)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already set in this process


def time_reps(fn, reps, warmup=1):
    """Median wall time (ms) of `reps` timed calls after `warmup` untimed ones; also every timing and the last result."""
    last = None
    for _ in range(warmup):
        last = fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        last = fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times), times, last


def emit(obj):
    print(json.dumps(obj))


def torch_blas(torch):
    """What runs torch's matrix products here: the BLAS it was built with (BLAS_INFO), its CPU kernel level, the BLAS
    libraries mapped into this process (a "generic" BLAS_INFO build links libblas.so.3, which Debian's alternatives
    point at OpenBLAS or at the reference BLAS) and torch's thread count."""
    cfg = torch.__config__.show()
    m = re.search(r"BLAS_INFO=([^,\s]+)", cfg)
    get = getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", None)
    if get is not None:
        cap = get()
    else:
        c = re.search(r"CPU capability usage: (\S+)", cfg)
        cap = c.group(1) if c else "unknown"
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})
        loaded = ", ".join(os.path.realpath(x) for x in libs) or "none mapped"
    except OSError:
        loaded = "unknown"
    return {
        "blas": m.group(1) if m else "unknown",
        "cpuCapability": cap,
        "blasLoaded": loaded,
        "torchThreads": torch.get_num_threads(),
    }
