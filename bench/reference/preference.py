"""Tabular preference sweep in PyTorch, float64 (same data as the kit: src/bench/workloads/preference.ts).

DPO (Rafailov et al. 2023, eq. 7) on tabular logits theta[x, y], initialised at log pi_ref:
    u_i = (theta[x,a] - theta[x,b]) - (log pi_ref[x,a] - log pi_ref[x,b])
    L = sum_i (w_i / W) [ -p_i log sigmoid(beta u_i) - (1 - p_i) log sigmoid(-beta u_i) ]
full batch, torch.optim.Adam(lr), `dpoSteps` steps, for each beta.
Nash-MD (Munos et al. 2023, sec. 5), exact, in log space, eta = log T / (beta T):
    l <- normalise((1 - eta beta) l + eta beta log mu);  l <- normalise(l + eta P(y > pi^mu))
with P(y > pi | x) = sum_y' P[x, y, y'] pi(y' | x) as a batched mat-vec, no autograd.
"""
import math

import torch
import torch.nn.functional as F

from common import emit, load_bundle, parse_args, set_torch_threads, time_reps

args = parse_args({"--reps": {"type": int, "default": 3}})
set_torch_threads(torch, args.threads)
s, a = load_bundle(args.bundle)
nX, nY = int(s["nX"]), int(s["nY"])
betas = [float(b) for b in s["betas"]]
f64 = torch.float64
logp_ref = torch.from_numpy(a["logpRef"].copy()).to(f64).reshape(-1)
x = torch.from_numpy(a["x"].astype("int64"))
ia = x * nY + torch.from_numpy(a["a"].astype("int64"))
ib = x * nY + torch.from_numpy(a["b"].astype("int64"))
p = torch.from_numpy(a["p"].copy())
w = torch.from_numpy(a["w"].copy())
wn = w / w.sum()
ref_margin = logp_ref[ia] - logp_ref[ib]
P = torch.from_numpy(a["P"].copy())
log_mu = torch.from_numpy(a["logpRef"].copy())


def dpo_loss(theta, beta):
    z = beta * (theta[ia] - theta[ib] - ref_margin)
    return -(wn * (p * F.logsigmoid(z) + (1 - p) * F.logsigmoid(-z))).sum()


def dpo(beta):
    theta = logp_ref.clone().requires_grad_(True)
    opt = torch.optim.Adam([theta], lr=float(s["lr"]), eps=1e-8)
    for _ in range(int(s["dpoSteps"])):
        opt.zero_grad(set_to_none=True)
        loss = dpo_loss(theta, beta)
        loss.backward()
        opt.step()
    return theta.detach()


def nash_md(beta):
    T = int(s["nashSteps"])
    eta = math.log(T) / (beta * T)
    wmix = eta * beta
    with torch.no_grad():
        l = log_mu.clone()
        for _ in range(T):
            l = (1 - wmix) * l + wmix * log_mu
            l = l - torch.logsumexp(l, dim=1, keepdim=True)
            pref = torch.bmm(P, l.exp().unsqueeze(2)).squeeze(2)
            l = l + eta * pref
            l = l - torch.logsumexp(l, dim=1, keepdim=True)
    return l


ms_d, _, dpo_out = time_reps(lambda: [dpo(b) for b in betas], args.reps)
ms_n, _, nash_out = time_reps(lambda: [nash_md(b) for b in betas], args.reps)
emit({
    "threads": args.threads,
    "torch": torch.__version__,
    "dpo": {"ms": ms_d, "logits": [t.reshape(-1).tolist() for t in dpo_out], "loss": [float(dpo_loss(t, b)) for t, b in zip(dpo_out, betas)]},
    "nash": {"ms": ms_n, "logits": [t.reshape(-1).tolist() for t in nash_out]},
})
