"""Train one project config with several seeds, evaluate each run, and report mean and spread.

    python scripts/seed_runs.py train NAME CONFIG --train T --dev D --test E [--seeds 0,1,2]
        [--steps 3000] [--score ents_f] [-- spacy train overrides, e.g. --paths.elmo_weights DIR]
    python scripts/seed_runs.py table [--metrics metrics/seeds] [--output metrics/seeds.md]

Single runs on CoNLL-2003 differ by about 1 F1 from the seed and the BLAS thread
count alone, so a comparison of two configs is quoted as the mean over seeds.
Each seed's run trains into training/seeds/NAME-s<seed> (skipped when its
model-best exists: an interrupted sweep continues where it stopped) and is
evaluated into metrics/seeds/NAME-s<seed>-{dev,test}.json; the summary goes to
metrics/seeds/NAME.json. The environment passes through to `spacy train`
(e.g. OMP_NUM_THREADS).
"""
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import List

import typer
from evaluate_models import is_current  # scripts/ is on sys.path when a script runs
from spacy.cli.evaluate import evaluate

app = typer.Typer(add_completion=False, no_args_is_help=True)


def _parse_seeds(seeds: str) -> List[int]:
    try:
        values = [int(seed) for seed in seeds.split(",") if seed.strip()]
    except ValueError:
        values = []
    if not values:
        raise typer.BadParameter(f"--seeds takes comma-separated integers such as 0,1,2, not {seeds!r}")
    return values


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def train(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Run name, e.g. ner-cnn"),
    config: Path = typer.Argument(..., exists=True, dir_okay=False, help="spacy train config"),
    train_path: Path = typer.Option(..., "--train", exists=True, help="Training corpus (.spacy)"),
    dev_path: Path = typer.Option(..., "--dev", exists=True, help="Dev corpus (.spacy)"),
    test_path: Path = typer.Option(..., "--test", exists=True, help="Test corpus (.spacy)"),
    seeds: str = typer.Option("0,1,2", "--seeds", help="Comma-separated seeds"),
    steps: int = typer.Option(3000, "--steps", help="training.max_steps"),
    eval_frequency: int = typer.Option(250, "--eval-frequency", help="training.eval_frequency"),
    score: str = typer.Option("ents_f", "--score", help="Score to summarise (ents_f, cats_macro_f, ...)"),
    output: Path = typer.Option(Path("training/seeds"), "--output", help="Where the runs are trained"),
    metrics: Path = typer.Option(Path("metrics/seeds"), "--metrics", help="Where evaluations and summary go"),
    gpu_id: int = typer.Option(-1, "--gpu-id"),
) -> None:
    """Train CONFIG once per seed (spacy train --system.seed S), evaluate on dev and test, summarise."""
    metrics.mkdir(parents=True, exist_ok=True)
    per_seed = {}
    for seed in _parse_seeds(seeds):
        run = output / f"{name}-s{seed}"
        if not (run / "model-best" / "meta.json").is_file():
            command = [sys.executable, "-m", "spacy", "train", str(config), "--output", str(run),
                       "--paths.train", str(train_path), "--paths.dev", str(dev_path),
                       "--paths.log", str(run / "log.jsonl"), "--training.max_steps", str(steps),
                       "--training.eval_frequency", str(eval_frequency), "--system.seed", str(seed),
                       "--gpu-id", str(gpu_id), *ctx.args]
            print(f"== {name} seed {seed}: {' '.join(command[1:])}", flush=True)
            subprocess.run(command, check=True)
        scores = {}
        for split, corpus in (("dev", dev_path), ("test", test_path)):
            result = metrics / f"{run.name}-{split}.json"
            if not is_current(result, run / "model-best"):
                evaluate(str(run / "model-best"), corpus, output=result, use_gpu=gpu_id, silent=True)
            values = json.loads(result.read_text())
            if values.get(score) is None:
                raise typer.BadParameter(f"--score {score!r} has no value in {result}: pick one of "
                                         f"{sorted(key for key, value in values.items() if isinstance(value, float))}")
            scores[split] = values[score]
        per_seed[seed] = scores
    summary = {"name": name, "config": str(config), "score": score, "steps": steps, "overrides": ctx.args,
               "per_seed": per_seed}
    for split in ("dev", "test"):
        values = [scores[split] for scores in per_seed.values()]
        summary[f"{split}_mean"] = statistics.fmean(values)
        summary[f"{split}_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
    (metrics / f"{name}.json").write_text(json.dumps(summary, indent=2))
    print(_table([summary]))


def _table(summaries: List[dict]) -> str:
    lines = ["| run | score | seeds | dev mean ± sd | test mean ± sd | test per seed |", "|---|---|---|---|---|---|"]
    for s in summaries:
        tests = " / ".join(f"{100 * v['test']:.2f}" for v in s["per_seed"].values())
        lines.append(f"| {s['name']} | {s['score']} | {','.join(map(str, s['per_seed']))} | "
                     f"{100 * s['dev_mean']:.2f} ± {100 * s['dev_std']:.2f} | "
                     f"{100 * s['test_mean']:.2f} ± {100 * s['test_std']:.2f} | {tests} |")
    return "\n".join(lines)


@app.command()
def table(
    metrics: Path = typer.Option(Path("metrics/seeds"), "--metrics", help="Where the summaries are"),
    output: Path = typer.Option(None, "--output", help="Also write the table here (markdown)"),
) -> None:
    """Print one row per summarised run: mean ± standard deviation over its seeds."""
    summaries = []
    for path in sorted(metrics.glob("*.json")):
        data = json.loads(path.read_text())
        if isinstance(data, dict) and "per_seed" in data:
            summaries.append(data)
    if not summaries:
        sys.exit(f"No seed summaries in {metrics}: run `seed_runs.py train` first.")
    text = _table(summaries)
    print(text)
    if output is not None:
        output.write_text(text + "\n")


if __name__ == "__main__":
    app()
