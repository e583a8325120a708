"""One DDPO fine-tuning step with a KL anchor in PyTorch (same weights, noise and batch as the kit:
src/bench/workloads/diffusion.ts, which times src/testbeds/diffusion2d/methods/ddpo.ts ddpoKlStep).

The denoiser: eps_theta(x_t, t), a ReLU MLP (inputs [x/2, tau, sin(2^j pi tau), cos(2^j pi tau), j < E], tau = t/T;
hidden widths from the bundle; output 2), float32 weights; points, schedule and log-probabilities in float64 as in
the kit. One step:
  1. ancestral sampling (Ho et al. Algorithm 2) of N chains from x_T (the bundle's noise), T steps, no grad,
     recording log p_theta(x_{t-1} | x_t) = -log(2 pi s2) - |x_{t-1} - mu|^2 / (2 s2) per step (the kit's
     ddpmSample does the same while sampling);
  2. the frozen reference's log-probabilities of the N*T transitions (one batched forward, no grad);
  3. R_n = r(x_0^n) - beta * sum_t (log p_theta - log p_ref), r the quadratic reward -|x - c|^2/(2 s^2),
     A = (R - mean R)/(std R + 1e-8) (population std);
  4. loss = -(1/N) sum_n A_n sum_t log p_theta(x_{t-1}^n | x_t^n) through the policy (one forward/backward of the
     N*T rows), clip_grad_norm_(maxGradNorm) (its return value, the norm before clipping, is the gradient norm),
     torch.optim.Adam(lr, eps 1e-8).
`warmup` untimed steps, then `steps` timed steps (median wall and process CPU time); per step the mean reward, path KL, objective and the
gradient norm are returned for the agreement check, and the BLAS torch was built with.
"""
import math
import time

import numpy as np
import torch
import torch.nn as nn

from common import emit, load_bundle, parse_args, set_torch_threads, torch_blas

args = parse_args()
set_torch_threads(torch, args.threads)
s, a = load_bundle(args.bundle)
dims = [int(d) for d in s["dims"]]
T, N, E = int(s["T"]), int(s["N"]), int(s["frequencies"])
beta = float(s["beta"])
center = torch.tensor(s["center"], dtype=torch.float64)
kq = 1.0 / (2.0 * float(s["scale"]) ** 2)
sched_alpha = torch.from_numpy(a["alpha"].copy())
sched_alpha_bar = torch.from_numpy(a["alphaBar"].copy())
sched_beta = torch.from_numpy(a["beta"].copy())
sched_sigma2 = torch.from_numpy(a["sigma2"].copy())


def build(flat):
    """nn.Sequential from the kit's flat float32 vector (per layer W: d_in x d_out row-major, then b)."""
    layers, off = [], 0
    for l in range(len(dims) - 1):
        din, dout = dims[l], dims[l + 1]
        lin = nn.Linear(din, dout)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(flat[off : off + din * dout].reshape(din, dout).T.copy()))
            off += din * dout
            lin.bias.copy_(torch.from_numpy(flat[off : off + dout].copy()))
            off += dout
        layers.append(lin)
        if l < len(dims) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


policy = build(a["params"])
ref = build(a["params"])
for p in ref.parameters():
    p.requires_grad_(False)
opt = torch.optim.Adam(policy.parameters(), lr=float(s["lr"]), eps=1e-8)
max_norm = float(s["maxGradNorm"])
freqs = (math.pi * (2.0 ** torch.arange(E, dtype=torch.float64))).reshape(1, E)


def features(x, t):
    """x: (M, 2) float64, t: (M,) float64 steps -> (M, 3 + 2E) float32, computed in float64 as the kit does."""
    tau = (t / T).reshape(-1, 1)
    w = tau * freqs
    f = torch.empty((x.shape[0], 3 + 2 * E), dtype=torch.float64)
    f[:, 0:2] = x / 2
    f[:, 2:3] = tau
    f[:, 3::2] = torch.sin(w)
    f[:, 4::2] = torch.cos(w)
    return f.to(torch.float32)


def step_consts(t):
    """Per row: k = 1/sqrt(alpha_t), c = beta_t/sqrt(1 - alphaBar_t), s2 = sigma_t^2 (t an int64 tensor)."""
    return 1.0 / torch.sqrt(sched_alpha[t]), sched_beta[t] / torch.sqrt(1.0 - sched_alpha_bar[t]), sched_sigma2[t]


def log_prob(xt, xp, eps, t):
    k, c, s2 = step_consts(t)
    mu = k.reshape(-1, 1) * (xt - c.reshape(-1, 1) * eps)
    return -torch.log(2 * math.pi * s2) - ((xp - mu) ** 2).sum(1) / (2 * s2)


def ddpo_step(i):
    x = torch.from_numpy(a["xT"][i].reshape(N, 2).copy())
    traj = [None] * (T + 1)
    traj[T] = x
    lp_steps = [None] * (T + 1)
    with torch.no_grad():
        for t in range(T, 0, -1):
            tt = torch.full((N,), t, dtype=torch.int64)
            eps = policy(features(x, tt.double())).double()
            k, c, s2 = step_consts(tt)
            mu = k.reshape(-1, 1) * (x - c.reshape(-1, 1) * eps)
            z = torch.from_numpy(a["z"][i, t - 1].reshape(N, 2).copy())
            nxt = mu + torch.sqrt(s2).reshape(-1, 1) * z
            lp_steps[t] = -torch.log(2 * math.pi * s2) - ((nxt - mu) ** 2).sum(1) / (2 * s2)
            x = nxt
            traj[t - 1] = x
        # rows n*T + (t - 1), as the kit stacks them
        xt = torch.stack([traj[t] for t in range(1, T + 1)], 1).reshape(N * T, 2)
        xp = torch.stack([traj[t - 1] for t in range(1, T + 1)], 1).reshape(N * T, 2)
        ts = torch.arange(1, T + 1, dtype=torch.int64).repeat(N)
        feat = features(xt, ts.double())
        lp_old = torch.stack([lp_steps[t] for t in range(1, T + 1)], 1).reshape(N * T)
        lp_ref = log_prob(xt, xp, ref(feat).double(), ts)
        log_ratio = (lp_old - lp_ref).reshape(N, T).sum(1)
        r = -kq * ((traj[0] - center) ** 2).sum(1)
        R = r - beta * log_ratio
        A = (R - R.mean()) / (torch.sqrt(((R - R.mean()) ** 2).mean()) + 1e-8)
    opt.zero_grad(set_to_none=True)
    lp = log_prob(xt, xp, policy(feat).double(), ts)
    loss = -(A.repeat_interleave(T) * lp).sum() / N
    loss.backward()
    gn = torch.nn.utils.clip_grad_norm_(policy.parameters(), max_norm)
    opt.step()
    return {
        "reward": r.mean().item(),
        "kl": log_ratio.mean().item(),
        "objective": R.mean().item(),
        "gradNorm": float(gn),
        "loss": loss.item(),
    }


stats, times, cpu = [], [], []
for i in range(int(s["warmup"]) + int(s["steps"])):
    t0, c0 = time.perf_counter(), time.process_time()
    st = ddpo_step(i)
    dt, dc = (time.perf_counter() - t0) * 1000.0, (time.process_time() - c0) * 1000.0
    stats.append(st)
    if i >= int(s["warmup"]):
        times.append(dt)
        cpu.append(dc)


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


ms = median(times)
emit(
    {
        "threads": args.threads,
        "torch": torch.__version__,
        **torch_blas(torch),
        "msPerStep": ms,
        "cpuMsPerStep": median(cpu),
        "stats": stats,
    }
)
