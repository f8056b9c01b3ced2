"""Pretraining throughput with 1 process vs N processes (torchrun, DistributedDataParallel).

    python benchmarks/pretrain_ddp.py [--config configs/pretrain_bilm_default_en.cfg] [--steps 60]
        [--processes 2] [--threads 2] [--data ../shared/data] [--limit 5000]

Runs `python -m spacy_elmo pretrain` for --steps steps in each setting, on the
same CPU budget (1 process × --threads threads vs --processes processes × 1
thread; on GPUs, one GPU per process), and prints the training throughput read
from each run's log.jsonl (real tokens per second over all processes, first
logged window excluded as warm-up). Each process trains on batches of the
config's size, so N processes step with an N-times larger global batch.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def run(config: Path, output: Path, processes: int, threads: int, steps: int, overrides) -> dict:
    launcher = [sys.executable, "-m", "spacy_elmo"] if processes == 1 else \
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(processes), "-m", "spacy_elmo"]
    log_every = max(1, steps // 6)
    command = launcher + ["pretrain", str(config), "--output", str(output), "--system.n_threads", str(threads),
                          "--training.max_steps", str(steps), "--training.log_every", str(log_every),
                          "--training.eval_every", str(10**9), "--training.checkpoint_every", str(10**9),
                          "--training.show_progress", "false", *overrides]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"run failed ({processes} process(es)):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    records = [json.loads(line) for line in (output / "log.jsonl").read_text().splitlines()]
    windows = [r for r in records if r["event"] == "train"][1:]
    rates = [r["tokens_per_s"] for r in windows]
    return {"processes": processes, "threads": threads, "windows": len(windows), "tokens_per_s": statistics.mean(rates),
            "min": min(rates), "max": max(rates), "steps_per_s": steps / max(records[-1]["train_seconds"], 1e-9)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=REPO_ROOT / "configs" / "pretrain_bilm_default_en.cfg")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="threads of the 1-process run (the CPU budget)")
    parser.add_argument("--data", default=str(REPO_ROOT.parent / "shared" / "data"), help="paths.data")
    parser.add_argument("--limit", type=int, default=10000, help="corpora.train.limit (docs read; 0 = all)")
    args = parser.parse_args()
    overrides = ["--paths.data", args.data, "--corpora.train.limit", str(args.limit)]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run(args.config, Path(tmp) / "one", 1, args.threads, args.steps, overrides))
        per_process = max(1, args.threads // args.processes)
        results.append(run(args.config, Path(tmp) / "many", args.processes, per_process, args.steps, overrides))
    print(f"config: {args.config.name}, {args.steps} steps per run, CPU cores: {os.cpu_count()}")
    print(f"{'processes':>9} {'threads/proc':>12} {'tokens/s (mean)':>16} {'min':>8} {'max':>8} {'speed-up':>9}")
    for r in results:
        print(f"{r['processes']:>9} {r['threads']:>12} {r['tokens_per_s']:>16.0f} {r['min']:>8.0f} {r['max']:>8.0f} "
              f"{r['tokens_per_s'] / results[0]['tokens_per_s']:>8.2f}x")


if __name__ == "__main__":
    main()
