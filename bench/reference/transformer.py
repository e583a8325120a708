"""Policy-gradient update and KV-cache sampling on a small decoder-only transformer in PyTorch, float32
(same weights, prompts, responses and per-token weights as the kit: src/bench/workloads/transformer.ts and
the contract in src/bench/nn-spec.ts TransformerBenchSpec).

Model (GPT-2 layout, the kit's src/nn/transformer-lm.ts): token + learned position embeddings; per block
x += c_proj(attn(ln_1(x))), x += mlp_proj(gelu_tanh(mlp_fc(ln_2(x)))); ln_f; untied head without bias.
Causal multi-head attention with c_attn giving [q | k | v]. LayerNorm eps 1e-5.
Batch: B prompts x G samples = N sequences; prompt P tokens, response L tokens.
- Update: one teacher-forced forward over prompt + response (inputs: tokens 0 .. P+L-2), log-softmax at the
  L positions that predict the response, loss = -sum_{n,t} w[n,t] log pi / (N L), backward,
  clip_grad_norm_(maxGradNorm), one torch.optim.Adam(lr, eps 1e-8) step.
- Sampling pass (no grad): one forward over the prompts filling a key/value cache, then L steps of
  log-softmax of the head, torch.multinomial, one-token forward with the cache (no early stop).
- GEMM: one float32 torch.matmul of the shape gemmM x gemmK times gemmK x gemmN (per-core throughput).
Agreement pass first, on the given weights: one sampling pass (mean log pi of the drawn tokens and its
standard error over sequences), one update
(loss before the step, gradient norm) and the loss recomputed after the step. Then 1 warm-up + `reps`
timed sampling passes and updates (medians).

Throughput mode (`--steps K`, the `transformer-seeds` workload, src/bench/workloads/transformer-seeds.ts): GRPO
steps of one seed instead, each one sampling pass and one update on the tokens it sampled (per-token weights from the
bundle), `--warmup` untimed steps, then a file barrier in `--barrier` (every one of `--world` processes writes
ready-<rank> and waits for the others, so concurrent processes time the same window), then K timed steps; prints the
window's wall-clock ends (epoch ms), its process CPU time and each step's loss. The sampler's generator starts at the
bundle's seed + rank. The agreement pass, the timed medians and the GEMM are skipped.
"""
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import emit, load_bundle, parse_args, set_torch_threads, time_reps, torch_blas

args = parse_args(
    {
        "--device": dict(default="cpu", help="torch device (cpu, cuda); the kit's bench uses cpu"),
        "--steps": dict(type=int, default=0, help="throughput mode: K timed GRPO steps (sampling + update)"),
        "--warmup": dict(type=int, default=1, help="throughput mode: untimed steps before the barrier"),
        "--barrier": dict(default=None, help="throughput mode: directory of the file barrier"),
        "--world": dict(type=int, default=1, help="throughput mode: processes meeting at the barrier"),
        "--rank": dict(type=int, default=0, help="throughput mode: this process's index (sampler seed + rank)"),
    }
)
DEV = torch.device(args.device)
set_torch_threads(torch, args.threads)
s, a = load_bundle(args.bundle)
V, C, NL, D, H = (int(s[k]) for k in ("vocab", "context", "layers", "dModel", "heads"))
FF = int(s["mlp"])
P, L, reps = int(s["promptLen"]), int(s["responseLen"]), int(s["reps"])
DH = D // H


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(D, eps=1e-5)
        self.c_attn = nn.Linear(D, 3 * D)
        self.c_proj = nn.Linear(D, D)
        self.ln_2 = nn.LayerNorm(D, eps=1e-5)
        self.mlp_fc = nn.Linear(D, FF)
        self.mlp_proj = nn.Linear(FF, D)

    def attn(self, x, cache=None):
        b, t, _ = x.shape
        q, k, v = self.c_attn(x).split(D, dim=2)
        q = q.view(b, t, H, DH).transpose(1, 2)
        k = k.view(b, t, H, DH).transpose(1, 2)
        v = v.view(b, t, H, DH).transpose(1, 2)
        if cache is not None:
            if cache.get("k") is not None:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        tk = k.shape[2]
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(DH))
        if t > 1:
            mask = torch.ones(t, tk, dtype=torch.bool, device=x.device).tril(diagonal=tk - t)
            att = att.masked_fill(~mask, float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).reshape(b, t, D))

    def forward(self, x, cache=None):
        x = x + self.attn(self.ln_1(x), cache)
        return x + self.mlp_proj(F.gelu(self.mlp_fc(self.ln_2(x)), approximate="tanh"))


class Lm(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(V, D)
        self.wpe = nn.Embedding(C, D)
        self.h = nn.ModuleList([Block() for _ in range(NL)])
        self.ln_f = nn.LayerNorm(D, eps=1e-5)
        self.head = nn.Linear(D, V, bias=False)

    def forward(self, idx, pos0=0, caches=None):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(pos0, pos0 + t, device=idx.device))
        for i, blk in enumerate(self.h):
            x = blk(x, None if caches is None else caches[i])
        return self.head(self.ln_f(x))


model = Lm()
t_ = lambda name: torch.from_numpy(a[name].copy())
with torch.no_grad():
    model.wte.weight.copy_(t_("wte"))
    model.wpe.weight.copy_(t_("wpe"))
    for i, blk in enumerate(model.h):
        for name, mod in (("ln1", blk.ln_1), ("ln2", blk.ln_2)):
            mod.weight.copy_(t_(f"{name}W")[i])
            mod.bias.copy_(t_(f"{name}B")[i])
        for name, mod in (("attn", blk.c_attn), ("proj", blk.c_proj), ("fc", blk.mlp_fc), ("mproj", blk.mlp_proj)):
            mod.weight.copy_(t_(f"{name}W")[i])
            mod.bias.copy_(t_(f"{name}B")[i])
    model.ln_f.weight.copy_(t_("lnfW"))
    model.ln_f.bias.copy_(t_("lnfB"))
    model.head.weight.copy_(t_("headW"))
model.to(DEV)

prompts = torch.from_numpy(a["prompts"].astype("int64")).to(DEV)
responses = torch.from_numpy(a["responses"].astype("int64")).to(DEV)
w = torch.from_numpy(a["weights"].copy()).to(DEV)
N = prompts.shape[0]
gen = torch.Generator(device=DEV).manual_seed(int(s["seed"]) + args.rank)
max_norm = float(s["maxGradNorm"])


def sync():
    """Wait for queued GPU work (timings on CUDA must include it); a no-op on the CPU."""
    if DEV.type == "cuda":
        torch.cuda.synchronize(DEV)


def sample():
    with torch.no_grad():
        caches = [dict() for _ in range(NL)]
        logits = model(prompts, 0, caches)[:, -1, :]
        toks = torch.empty(N, L, dtype=torch.int64, device=DEV)
        lps = torch.empty(N, L, device=DEV)
        for t in range(L):
            lp = F.log_softmax(logits, dim=-1)
            tok = torch.multinomial(lp.exp(), 1, generator=gen).squeeze(1)
            toks[:, t] = tok
            lps[:, t] = lp.gather(1, tok.unsqueeze(1)).squeeze(1)
            if t < L - 1:
                logits = model(tok.unsqueeze(1), P + t, caches)[:, -1, :]
        sync()
        return toks, lps


def loss_fn(resp=None):
    resp = responses if resp is None else resp
    seq = torch.cat([prompts, resp], dim=1)
    logits = model(seq[:, :-1])[:, P - 1 :, :]
    logp = F.log_softmax(logits, dim=-1).gather(2, resp.unsqueeze(2)).squeeze(2)
    return -(w * logp).sum() / (N * L)


def update(opt, resp=None):
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(resp)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    opt.step()
    sync()
    return loss.item(), float(norm)


def barrier():
    """Write ready-<rank> into args.barrier and wait until all args.world processes have written theirs."""
    if not args.barrier:
        return
    open(os.path.join(args.barrier, f"ready-{args.rank}"), "w").close()
    deadline = time.time() + 300
    while sum(f.startswith("ready-") for f in os.listdir(args.barrier)) < args.world:
        if time.time() > deadline:
            raise SystemExit(f"barrier {args.barrier}: not all {args.world} processes arrived in 300 s")
        time.sleep(0.0005)


def throughput():
    """args.warmup + args.steps GRPO steps (sampling pass, then an update on the sampled tokens), the last timed."""
    opt = torch.optim.Adam(model.parameters(), lr=float(s["lr"]), eps=1e-8)
    losses, step_ms = [], []
    for _ in range(args.warmup):
        losses.append(update(opt, sample()[0])[0])
    ready = time.time()
    barrier()
    t0, c0 = time.time(), time.process_time()
    for _ in range(args.steps):
        t = time.perf_counter()
        losses.append(update(opt, sample()[0])[0])
        step_ms.append((time.perf_counter() - t) * 1000.0)
    t1, c1 = time.time(), time.process_time()
    emit(
        {
            "threads": args.threads,
            "rank": args.rank,
            "torch": torch.__version__,
            "steps": args.steps,
            "readyEpochMs": ready * 1000.0,
            "startEpochMs": t0 * 1000.0,
            "endEpochMs": t1 * 1000.0,
            "cpuMs": (c1 - c0) * 1000.0,
            "stepMs": step_ms,
            "losses": losses,
            **torch_blas(torch),
        }
    )


if args.steps > 0:
    throughput()
    sys.exit(0)

_, lps0 = sample()
opt = torch.optim.Adam(model.parameters(), lr=float(s["lr"]), eps=1e-8)
loss0, norm0 = update(opt)
with torch.no_grad():
    loss1 = loss_fn().item()
opt = torch.optim.Adam(model.parameters(), lr=float(s["lr"]), eps=1e-8)
sample_ms, _, _ = time_reps(sample, reps)
update_ms, _, _ = time_reps(lambda: update(opt), reps)
gM, gN, gK = int(s["gemmM"]), int(s["gemmN"]), int(s["gemmK"])
ga, gb = torch.rand(gM, gK, device=DEV) * 2 - 1, torch.rand(gK, gN, device=DEV) * 2 - 1
gemm_ms, _, _ = time_reps(lambda: (ga @ gb, sync()), 20)
emit(
    {
        "threads": args.threads,
        "device": str(DEV) if DEV.type == "cpu" else torch.cuda.get_device_name(DEV),
        "torch": torch.__version__,
        "sampleMs": sample_ms,
        "updateMs": update_ms,
        "gemmMs": gemm_ms,
        "loss0": loss0,
        "loss1": loss1,
        "gradNorm0": norm0,
        "meanSampledLogp": float(lps0.mean()),
        "sampledLogpSe": float(lps0.mean(dim=1).std() / math.sqrt(N)),
        **torch_blas(torch),
    }
)
