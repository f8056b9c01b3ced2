"""Evaluate every trained project model on its dev and test sets -> metrics/<run>-<split>.json.

    python scripts/evaluate_models.py training corpus metrics [--gpu-id -1]

A run directory training/<task>-<variant>/model-best is evaluated on
corpus/<dataset>/{dev,test}.spacy, where the dataset is `conll` for ner runs,
`sst5` for textcat runs and `sst2` for textcat2 runs. Runs evaluated before
(metrics newer than the model) are skipped.
"""
import sys
from pathlib import Path

import typer
from spacy.cli.evaluate import evaluate

DATASETS = {"ner": "conll", "textcat": "sst5", "textcat2": "sst2"}


def is_current(metrics_file: Path, model: Path) -> bool:
    """Whether metrics_file exists and was written after the model was saved."""
    return metrics_file.exists() and metrics_file.stat().st_mtime > (model / "meta.json").stat().st_mtime


def main(training_dir: Path, corpus_dir: Path, metrics_dir: Path, gpu_id: int = typer.Option(-1, "--gpu-id")) -> None:
    metrics_dir.mkdir(parents=True, exist_ok=True)
    runs = sorted(p for p in training_dir.iterdir() if (p / "model-best").is_dir()) if training_dir.is_dir() else []
    if not runs:
        sys.exit(f"No trained runs (*/model-best) in {training_dir}: run the train commands first.")
    for run in runs:
        task = run.name.split("-", 1)[0]
        if task not in DATASETS:
            continue
        model = run / "model-best"
        for split in ("dev", "test"):
            output = metrics_dir / f"{run.name}-{split}.json"
            if is_current(output, model):
                continue
            print(f"{run.name} on {split}", flush=True)
            evaluate(str(model), corpus_dir / DATASETS[task] / f"{split}.spacy", output=output, use_gpu=gpu_id, silent=True)


if __name__ == "__main__":
    typer.run(main)
