"""GRPO update and sampling on a GRU language model in PyTorch, float32
(same weights, prompts, responses and advantages as the kit: src/bench/workloads/gru.ts and the
contract in src/bench/nn-spec.ts).

Model: vocab V = 14, one-hot token input, nn.GRU(input_size=14, hidden_size=64) (one layer, PyTorch
gate convention), head nn.Linear(64, 14). Batch: B = 64 prompts x G = 8 = 512 sequences, prompt
P = 8 tokens, response L = 8 tokens.
- Sampling pass (no grad): run the GRU over the prompt, then L times: log-softmax of the head,
  draw a token (torch.multinomial), feed it back (always L steps, no early stop).
- GRPO update: one teacher-forced forward over prompt + response with grad; the standard
  next-token idiom feeds tokens 0 .. P+L-2 (the last response token is never an input), takes the
  log-softmax at the L positions that predict the response, loss = -sum_i,t adv_i log pi / (N L),
  backward, one torch.optim.Adam(lr 1e-3, eps 1e-8) step.
Agreement pass first, on the given weights: one sampling pass (mean log pi of the drawn tokens),
one update (loss before the step) and the loss recomputed after the step. Then 1 warm-up + `reps`
timed sampling passes and updates (medians).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import emit, load_bundle, parse_args, set_torch_threads, time_reps

args = parse_args()
set_torch_threads(torch, args.threads)
s, a = load_bundle(args.bundle)
V, H, P, L = int(s["vocab"]), int(s["hidden"]), int(s["promptLen"]), int(s["responseLen"])
reps = int(s["reps"])

gru = nn.GRU(input_size=V, hidden_size=H, num_layers=1, batch_first=True)
head = nn.Linear(H, V)
with torch.no_grad():
    gru.weight_ih_l0.copy_(torch.from_numpy(a["wIh"].copy()))
    gru.weight_hh_l0.copy_(torch.from_numpy(a["wHh"].copy()))
    gru.bias_ih_l0.copy_(torch.from_numpy(a["bIh"].copy()))
    gru.bias_hh_l0.copy_(torch.from_numpy(a["bHh"].copy()))
    head.weight.copy_(torch.from_numpy(a["wOut"].copy()))
    head.bias.copy_(torch.from_numpy(a["bOut"].copy()))
params = list(gru.parameters()) + list(head.parameters())

eye = torch.eye(V)
prompts = torch.from_numpy(a["prompts"].astype("int64"))
responses = torch.from_numpy(a["responses"].astype("int64"))
adv = torch.from_numpy(a["advantages"].copy())
N = prompts.shape[0]
gen = torch.Generator().manual_seed(int(s["seed"]))


def sample():
    with torch.no_grad():
        _, h = gru(eye[prompts])  # h: 1 x N x H
        toks = torch.empty(N, L, dtype=torch.int64)
        lps = torch.empty(N, L)
        for t in range(L):
            lp = F.log_softmax(head(h[0]), dim=-1)
            tok = torch.multinomial(lp.exp(), 1, generator=gen).squeeze(1)
            toks[:, t] = tok
            lps[:, t] = lp.gather(1, tok.unsqueeze(1)).squeeze(1)
            if t < L - 1:
                _, h = gru(eye[tok].unsqueeze(1), h)
        return toks, lps


def loss_fn():
    seq = torch.cat([prompts, responses], dim=1)
    hs, _ = gru(eye[seq[:, :-1]])  # N x (P+L-1) x H
    logp = F.log_softmax(head(hs[:, P - 1:, :]), dim=-1).gather(2, responses.unsqueeze(2)).squeeze(2)
    return -(adv.unsqueeze(1) * logp).sum() / (N * L)


def update(opt):
    opt.zero_grad(set_to_none=True)
    loss = loss_fn()
    loss.backward()
    opt.step()
    return loss.item()


_, lps0 = sample()
opt = torch.optim.Adam(params, lr=float(s["lr"]), eps=1e-8)
loss0 = update(opt)
with torch.no_grad():
    loss1 = loss_fn().item()
opt = torch.optim.Adam(params, lr=float(s["lr"]), eps=1e-8)
sample_ms, _, _ = time_reps(sample, reps)
update_ms, _, _ = time_reps(lambda: update(opt), reps)
emit({
    "threads": args.threads,
    "torch": torch.__version__,
    "sampleMs": sample_ms,
    "updateMs": update_ms,
    "loss0": loss0,
    "loss1": loss1,
    "meanSampledLogp": float(lps0.mean()),
})
