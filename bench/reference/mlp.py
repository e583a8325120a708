"""MLP training step in PyTorch, float32 (same weights and batch as the kit: src/bench/workloads/mlp.ts).

batch 512, 64 -> 256 -> 256 -> 4, ReLU, MSE (mean over batch x outputs) to fixed targets,
torch.optim.Adam(lr 1e-3, eps 1e-8); one step = zero_grad + forward + backward + step.
`warmup` untimed steps, then `steps` timed steps (median); the loss of every step is returned.
"""
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import emit, load_bundle, parse_args, set_torch_threads

args = parse_args()
set_torch_threads(torch, args.threads)
s, a = load_bundle(args.bundle)
sizes = s["sizes"]
layers = []
for l in range(len(sizes) - 1):
    lin = nn.Linear(sizes[l], sizes[l + 1])
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(a[f"W{l}"].copy()))
        lin.bias.copy_(torch.from_numpy(a[f"b{l}"].copy()))
    layers.append(lin)
    if l < len(sizes) - 2:
        layers.append(nn.ReLU())
model = nn.Sequential(*layers)
x = torch.from_numpy(a["x"].copy())
y = torch.from_numpy(a["y"].copy())
opt = torch.optim.Adam(model.parameters(), lr=float(s["lr"]), eps=1e-8)

losses, times = [], []
for i in range(int(s["warmup"]) + int(s["steps"])):
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss = F.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    losses.append(loss.item())
    if i >= int(s["warmup"]):
        times.append((time.perf_counter() - t0) * 1000.0)
times.sort()
n = len(times)
ms = times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])
emit({"threads": args.threads, "torch": torch.__version__, "msPerStep": ms, "losses": losses})
