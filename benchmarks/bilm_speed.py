"""biLM forward speed on CPU: spacy-elmo vs an AllenNLP-algorithm baseline vs torch's fused LSTM.

    python benchmarks/bilm_speed.py [--threads 2] [--runs 5] [--shared-dir ../shared]

Implementations: spacy-elmo (exact); spacy-elmo-no-clip (the same code with
cell/projection clipping switched off: what exact clipping costs); the
AllenNLP algorithm (re-implemented below, checked equal to spacy-elmo);
torch's fused nn.LSTM(proj_size=P), which cannot clip and so is not exact.

Random weights at the published "original" and "small" sizes; batches of 32
sentences of 20-30 tokens (lm1b heldout text when ../shared is there, else
synthetic words). Each implementation runs in its own process (so peak RSS is
its own), timed with no grad; a run = one pass over the same batches, and
tokens/s is the median of the runs. "of GEMM" = useful model FLOP/s divided by
the FLOP/s of a 2048x2048 fp32 matmul measured in that same process: a ratio
that survives a noisy machine better than raw speed. Run it on an otherwise
idle machine.
"""
import argparse
import dataclasses
import multiprocessing
import os
import random
import resource
import statistics
import time
from pathlib import Path

import torch
from torch import nn

from spacy_elmo import ElmoBiLM, ElmoConfig
from spacy_elmo.model.bilm import pack_positions
from spacy_elmo.model.chars import batch_to_ids

SIZES = {
    "original": ElmoConfig(n_highway=2, cell_dim=4096, projection_dim=512),
    "small": ElmoConfig(n_highway=1, cell_dim=1024, projection_dim=128),
}


def load_sentences(shared_dir: Path, n: int, seed: int = 0):
    path = shared_dir / "data" / "lm1b_heldout" / "1b_benchmark.dev.tokens"
    rng = random.Random(seed)
    if path.is_file():
        lines = [line.split() for line in path.read_text(encoding="utf-8").splitlines()]
        lines = [tokens for tokens in lines if 20 <= len(tokens) <= 30]
        rng.shuffle(lines)
        return lines[:n], f"lm1b heldout ({path.name})"
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 12))) for _ in range(5000)]
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    return [rng.choices(vocab, weights, k=rng.randint(20, 30)) for _ in range(n)], "synthetic Zipf words"


def gemm_flops(repeats: int = 7) -> float:
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    a @ b
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * 2048**3 / statistics.median(times)


class AllenNLPStyleBiLM(nn.Module):
    """The reference algorithm (allennlp/modules/elmo.py, elmo_lstm.py,
    lstm_cell_with_projection.py) re-implemented for timing only: char CNN with
    nn.Conv1d on every padded position, one LSTM per direction and layer, input
    and state GEMMs per time step, shrinking batch on length-sorted rows."""

    def __init__(self, bilm: ElmoBiLM):
        super().__init__()
        self.bilm = bilm
        config = bilm.config
        self.config = config
        encoder = bilm.token_encoder
        self.convs = nn.ModuleList()
        for weight, bias in zip(encoder.conv_weights, encoder.conv_biases):
            conv = nn.Conv1d(config.char_embedding_dim, weight.shape[-1], weight.shape[0], bias=True)
            conv.weight.data = weight.detach().permute(2, 1, 0).contiguous()
            conv.bias.data = bias.detach().clone()
            self.convs.append(conv)

    def token_layer(self, ids):
        encoder = self.bilm.token_encoder
        chars = nn.functional.embedding(ids, encoder.char_embedding).transpose(1, 2)  # (N, E, W)
        x = torch.cat([torch.max(conv(chars), dim=-1)[0] for conv in self.convs], dim=-1)
        x = torch.relu(x) if self.config.activation == "relu" else torch.tanh(x)
        F = x.shape[-1]
        for weight, bias in zip(encoder.highway_weights, encoder.highway_biases):
            gates = x @ weight + bias
            carry = torch.sigmoid(gates[:, F:])
            x = carry * torch.relu(gates[:, :F]) + (1 - carry) * x
        return x @ encoder.projection_weight + encoder.projection_bias

    def forward(self, char_ids):
        config, lstm = self.config, self.bilm.lstm
        B, T, W = char_ids.shape
        n_tokens = (char_ids > 0).any(-1).sum(-1)
        ids = char_ids.new_zeros(B, T + 2, W)
        ids[:, 1:-1] = char_ids
        ids[:, 0] = self.bilm.bos_ids
        ids[torch.arange(B), n_tokens + 1] = self.bilm.eos_ids
        tokens = self.token_layer(ids.view(-1, W)).view(B, T + 2, -1)
        lengths = n_tokens + 2
        lengths, order = torch.sort(lengths, descending=True)
        tokens = tokens[order]
        D, P = config.cell_dim, config.projection_dim
        outputs = [torch.cat([tokens, tokens], -1)]
        layer_inputs = [tokens, tokens]
        for layer in range(config.n_layers):
            direction_outputs = []
            for direction in range(2):
                w_in = lstm.input_weights[layer][direction]
                w_state = lstm.recurrent_weights[layer][direction]
                bias = lstm.biases[layer][direction] + lstm.forget_bias
                w_proj = lstm.projection_weights[layer][direction]
                x = layer_inputs[direction]
                out = x.new_zeros(B, T + 2, P)
                h = x.new_zeros(B, P)
                c = x.new_zeros(B, D)
                index = B - 1
                for step in range(T + 2):
                    t = step if direction == 0 else T + 1 - step
                    if direction == 0:
                        while index >= 0 and lengths[index] <= t:
                            index -= 1
                        active = index + 1
                    else:
                        while index < B - 1 and lengths[index + 1] > t:
                            index += 1
                        active = index + 1 if lengths[0] > t else 0
                        index = active - 1 if active else -1
                        active = int((lengths > t).sum())
                    if active == 0:
                        continue
                    z = x[:active, t] @ w_in + h[:active] @ w_state + bias
                    i, j, f, o = z.split(D, -1)
                    new_c = torch.sigmoid(i) * torch.tanh(j) + torch.sigmoid(f) * c[:active]
                    new_c = new_c.clamp(-config.cell_clip, config.cell_clip)
                    new_h = (torch.sigmoid(o) * torch.tanh(new_c)) @ w_proj
                    new_h = new_h.clamp(-config.proj_clip, config.proj_clip)
                    c = torch.cat([new_c, c[active:]]) if active < B else new_c
                    h = torch.cat([new_h, h[active:]]) if active < B else new_h
                    out[:active, t] = new_h
                if layer > 0:
                    out = out + x
                direction_outputs.append(out)
            outputs.append(torch.cat(direction_outputs, -1))
            layer_inputs = direction_outputs
        inverse = torch.empty_like(order)
        inverse[order] = torch.arange(B)
        return torch.stack(outputs)[:, inverse]


class FusedTorchLstmBiLM(nn.Module):
    """Our token encoder + torch.nn.LSTM(proj_size=P) per direction and layer:
    torch's fused kernel has no cell or projection clipping, so it is NOT exact."""

    def __init__(self, bilm: ElmoBiLM):
        super().__init__()
        self.bilm = bilm
        config = bilm.config
        self.lstms = nn.ModuleList(
            nn.LSTM(config.projection_dim, config.cell_dim, proj_size=config.projection_dim, batch_first=True)
            for _ in range(2 * config.n_layers)
        )

    def forward(self, char_ids):
        bilm = self.bilm
        B, T, W = char_ids.shape
        n_tokens = (char_ids > 0).any(-1).sum(-1)
        lengths = n_tokens + 2
        ids = char_ids.new_zeros(B, T + 2, W)
        ids[:, 1:-1] = char_ids
        ids[:, 0] = bilm.bos_ids
        ids[torch.arange(B), n_tokens + 1] = bilm.eos_ids
        mask = torch.arange(T + 2)[None] < lengths[:, None]
        unique, inverse = torch.unique(ids[mask], dim=0, return_inverse=True)
        tokens = bilm.token_encoder(unique)[inverse]
        packed = pack_positions(lengths)
        batch_sizes = torch.tensor(packed.batch_sizes)
        outputs = []
        for direction, index in enumerate((packed.forward_index, packed.backward_index)):
            x = tokens[index]
            for layer in range(bilm.config.n_layers):
                sequence = nn.utils.rnn.PackedSequence(x, batch_sizes)
                y = self.lstms[2 * layer + direction](sequence)[0].data
                x = y + x if layer > 0 else y
                outputs.append(x)
        return outputs


def measure(size: str, implementation: str, sentences, batch_size: int, runs: int, threads: int, queue) -> None:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    bilm = ElmoBiLM(config=SIZES[size]).eval()
    model = bilm
    if implementation == "spacy-elmo-no-clip":
        model = ElmoBiLM(config=dataclasses.replace(SIZES[size], cell_clip=None, proj_clip=None)).eval()
        model.load_state_dict(bilm.state_dict())
    elif implementation == "allennlp-algorithm":
        model = AllenNLPStyleBiLM(bilm).eval()
    elif implementation == "torch-fused-lstm":
        model = FusedTorchLstmBiLM(bilm).eval()
    batches = [batch_to_ids(sentences[i : i + batch_size]) for i in range(0, len(sentences), batch_size)]
    n_tokens = sum(len(s) for s in sentences)
    max_diff = None
    with torch.no_grad():
        reference = bilm(batches[0]).layers
        result = model(batches[0])
        if implementation == "allennlp-algorithm":
            max_diff = float((result - reference).abs().max())
        speeds, gemms = [], []
        for _ in range(runs):
            gemms.append(gemm_flops(3))
            start = time.perf_counter()
            for batch in batches:
                model(batch)
            speeds.append(n_tokens / (time.perf_counter() - start))
    tokens_per_s = statistics.median(speeds)
    gemm = statistics.median(gemms)
    useful = tokens_per_s * SIZES[size].flops_per_token()
    queue.put(dict(size=size, implementation=implementation, tokens_per_s=tokens_per_s, gemm_gflops=gemm / 1e9,
                   fraction=useful / gemm, peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                   max_diff=max_diff, spread=(min(speeds), max(speeds))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batches", type=int, default=3, help="batches of --batch-size sentences per run")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--sizes", nargs="+", default=["original", "small"], choices=list(SIZES))
    parser.add_argument("--implementations", nargs="+", default=["spacy-elmo", "spacy-elmo-no-clip", "allennlp-algorithm", "torch-fused-lstm"])
    parser.add_argument("--shared-dir", type=Path, default=Path(os.environ.get("SPACY_ELMO_SHARED", Path(__file__).resolve().parents[2] / "shared")))
    args = parser.parse_args()
    sentences, source = load_sentences(args.shared_dir, args.batches * args.batch_size)
    mean_length = sum(map(len, sentences)) / len(sentences)
    print(f"{len(sentences)} sentences from {source}, mean {mean_length:.1f} tokens, batches of {args.batch_size}, "
          f"{args.threads} threads, torch {torch.__version__}, median of {args.runs} runs")
    context = multiprocessing.get_context("spawn")
    rows = []
    for size in args.sizes:
        print(f"{size}: {SIZES[size].flops_per_token() / 1e6:.0f}M FLOPs per token")
        for implementation in args.implementations:
            queue = context.Queue()
            process = context.Process(target=measure, args=(size, implementation, sentences, args.batch_size, args.runs, args.threads, queue))
            process.start()
            rows.append(queue.get())
            process.join()
            row = rows[-1]
            extra = f"  max|diff| vs spacy-elmo {row['max_diff']:.1e}" if row["max_diff"] is not None else ""
            print(f"  {implementation:20s} {row['tokens_per_s']:8.0f} tokens/s  {100 * row['fraction']:5.1f}% of GEMM "
                  f"({row['gemm_gflops']:.0f} GFLOP/s)  peak RSS {row['peak_rss_mb']:.0f} MB  "
                  f"[runs {row['spread'][0]:.0f}-{row['spread'][1]:.0f}]{extra}", flush=True)
    print("\n| size | implementation | tokens/s | % of 2048³ GEMM | speed vs AllenNLP algorithm | peak RSS |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        base = next((r for r in rows if r["size"] == row["size"] and r["implementation"] == "allennlp-algorithm"), None)
        ratio = f"{row['fraction'] / base['fraction']:.2f}×" if base else "n/a"
        print(f"| {row['size']} | {row['implementation']} | {row['tokens_per_s']:.0f} | {100 * row['fraction']:.1f}% | {ratio} | {row['peak_rss_mb']:.0f} MB |")


if __name__ == "__main__":
    main()
