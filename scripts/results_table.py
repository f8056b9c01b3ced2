"""Print the project's results tables (markdown) from metrics/*.json and the training logs.

    python scripts/results_table.py metrics training [--output metrics/results.md]

NER: entity P/R/F1 on dev and test, test F1 per type, and a second table with test
P/R/F1 per type. Text classification:
accuracy (with exclusive classes spaCy's micro-averaged F equals accuracy: every
doc has one gold and one predicted label). Training time and words/s come from
the spacy_elmo.TrainingLogger.v1 log (training/<run>/log.jsonl): time to the last
dev evaluation, and words seen per second over it (dev evaluations included); inference words/s
is spaCy evaluate's speed on the test set.
"""
import json
from pathlib import Path
from typing import List, Optional, Tuple

import srsly
import typer


def _load(path: Path) -> Optional[dict]:
    return json.loads(path.read_text()) if path.is_file() else None


def _training(run_dir: Path) -> str:
    log = run_dir / "log.jsonl"
    if not log.is_file():
        return "n/a | n/a"
    records = list(srsly.read_jsonl(log))
    if not records:
        return "n/a | n/a"
    last = records[-1]
    return f"{last['seconds'] / 60:.1f} min | {last['words'] / max(last['seconds'], 1e-9):,.0f}"


def _runs(metrics: Path, pattern: str, suffix: str) -> List[Tuple[str, Path]]:
    """(run name, metrics file) for metrics/<run><suffix> files matching pattern, sorted by run name."""
    found = ((path.name[: -len(suffix)], path) for path in metrics.glob(pattern + suffix))
    return sorted(found, key=lambda item: item[0])


def ner_table(metrics: Path, training: Path) -> str:
    lines = ["| run | dev P | dev R | dev F1 | test P | test R | test F1 | test F1 PER / LOC / ORG / MISC | train time | train words/s | inference words/s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for run, dev_path in _runs(metrics, "ner-*", "-dev.json"):
        dev, test = _load(dev_path), _load(metrics / f"{run}-test.json")
        if test is None:
            continue
        per_type = test.get("ents_per_type") or {}
        types = " / ".join(f"{100 * per_type.get(t, {}).get('f', 0):.1f}" for t in ("PER", "LOC", "ORG", "MISC"))
        lines.append(f"| {run} | {100 * dev['ents_p']:.2f} | {100 * dev['ents_r']:.2f} | {100 * dev['ents_f']:.2f} | "
                     f"{100 * test['ents_p']:.2f} | {100 * test['ents_r']:.2f} | {100 * test['ents_f']:.2f} | {types} | "
                     f"{_training(training / run)} | {test['speed']:,.0f} |")
    return "\n".join(lines)


def ner_per_type_table(metrics: Path) -> str:
    """Precision / recall / F1 per entity type on the test set, one row per run."""
    types = ("PER", "LOC", "ORG", "MISC")
    header = " | ".join(f"{t} P / R / F1" for t in types)
    lines = [f"| run | {header} |", "|---|" + "---|" * len(types)]
    for run, test_path in _runs(metrics, "ner-*", "-test.json"):
        per_type = (_load(test_path) or {}).get("ents_per_type") or {}
        cells = []
        for entity_type in types:
            scores = per_type.get(entity_type, {})
            cells.append(" / ".join(f"{100 * scores.get(key, 0):.1f}" for key in ("p", "r", "f")))
        lines.append(f"| {run} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def textcat_table(metrics: Path, training: Path) -> str:
    lines = ["| run | data | dev accuracy | test accuracy | test macro F1 | train time | train words/s | inference words/s |",
             "|---|---|---|---|---|---|---|---|"]
    for run, dev_path in _runs(metrics, "textcat*", "-dev.json"):
        dev, test = _load(dev_path), _load(metrics / f"{run}-test.json")
        if test is None:
            continue
        data = "SST-2" if run.startswith("textcat2-") else "SST-5"
        lines.append(f"| {run} | {data} | {100 * dev['cats_micro_f']:.2f} | {100 * test['cats_micro_f']:.2f} | "
                     f"{100 * test['cats_macro_f']:.2f} | {_training(training / run)} | {test['speed']:,.0f} |")
    return "\n".join(lines)


def main(metrics: Path, training: Path, output: Optional[Path] = typer.Option(None, "--output")) -> None:
    text = ("### CoNLL-2003 NER\n\n" + ner_table(metrics, training)
            + "\n\nTest set, per entity type:\n\n" + ner_per_type_table(metrics)
            + "\n\n### SST sentiment\n\n" + textcat_table(metrics, training) + "\n")
    print(text)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    typer.run(main)
