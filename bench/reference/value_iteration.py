"""Value iteration on the kit's random CSR MDP (1,000 states x 10 actions, 10 successors), float64.

Same algorithm as the kit's `valueIteration(..., { sweep: 'jacobi' })`: synchronous Bellman
optimality backups from V = 0 until ||V_k+1 - V_k||_inf <= tol (1 - gamma) / gamma.
Rows timed (median of --reps solves after one warm-up):
  numpy         vectorised over the CSR arrays: gather V[col], multiply by prob, sum each row
                (rows have equal length, so a reshape; np.add.reduceat otherwise), max over actions
  scipy-csr     the same backup as a scipy.sparse CSR mat-vec (if scipy is installed)
  torch         the numpy row's gather-multiply-sum in torch ops (if torch is installed; Debian's
                torch has no MKL, so torch's sparse CSR mat-vec is unavailable)
"""
import numpy as np

from common import emit, load_bundle, parse_args, set_torch_threads, time_reps

args = parse_args({"--reps": {"type": int, "default": 7}})
s, a = load_bundle(args.bundle)
nS, nA, gamma, tol = int(s["nS"]), int(s["nA"]), float(s["gamma"]), float(s["tol"])
row_ptr, col, prob, rbar = a["rowPtr"].astype(np.int64), a["col"].astype(np.int64), a["prob"], a["rbar"]
stop = tol * (1 - gamma) / gamma
lengths = np.diff(row_ptr)
uniform = bool(np.all(lengths == lengths[0]))
k = int(lengths[0])


def solve(backup):
    V = np.zeros(nS)
    it = 0
    while True:
        Vn = backup(V).reshape(nS, nA).max(axis=1)
        res = float(np.abs(Vn - V).max())
        V = Vn
        it += 1
        if res <= stop:
            return V, it, res


def numpy_backup(V):
    contrib = prob * V[col]
    acc = contrib.reshape(-1, k).sum(axis=1) if uniform else np.add.reduceat(contrib, row_ptr[:-1])
    return rbar + gamma * acc


out = {"rows": {}}
ms, times, (V, it, res) = time_reps(lambda: solve(numpy_backup), args.reps)
out["rows"]["numpy"] = {"ms": ms, "iterations": it, "residual": res, "V": V.tolist(), "version": np.__version__}

try:
    import scipy
    import scipy.sparse as sp

    P = sp.csr_matrix((prob, col, row_ptr), shape=(nS * nA, nS))
    ms, times, (V, it, res) = time_reps(lambda: solve(lambda v: rbar + gamma * (P @ v)), args.reps)
    out["rows"]["scipy-csr"] = {"ms": ms, "iterations": it, "residual": res, "V": V.tolist(), "version": scipy.__version__}
except ImportError:
    pass

try:
    import torch

    set_torch_threads(torch, args.threads)
    colt, probt, rb = torch.from_numpy(col), torch.from_numpy(prob), torch.from_numpy(rbar)
    rowt = torch.from_numpy(row_ptr)
    seg = torch.repeat_interleave(torch.arange(nS * nA), rowt[1:] - rowt[:-1])

    def torch_backup(V):
        contrib = probt * V[colt]
        acc = contrib.view(-1, k).sum(dim=1) if uniform else torch.zeros(nS * nA, dtype=torch.float64).index_add_(0, seg, contrib)
        return rb + gamma * acc

    def solve_torch():
        V = torch.zeros(nS, dtype=torch.float64)
        it = 0
        while True:
            Vn = torch_backup(V).view(nS, nA).amax(dim=1)
            res = float((Vn - V).abs().max())
            V = Vn
            it += 1
            if res <= stop:
                return V.numpy(), it, res

    try:
        ms, times, (V, it, res) = time_reps(solve_torch, args.reps)
        out["rows"]["torch"] = {"ms": ms, "iterations": it, "residual": res, "V": V.tolist(), "version": torch.__version__}
    except RuntimeError as e:
        out["skipped"] = {"torch": str(e).split("\n")[0]}
except ImportError:
    pass

emit(out)
