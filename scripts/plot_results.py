"""Draw the project's plots: dev score over training steps per task, and the learned layer mix.

    python scripts/plot_results.py training plots

plots/dev_curves.png: dev score (ents_f for NER, accuracy for SST) against
training step for every run, one panel per task (from training/<run>/log.jsonl).
plots/layer_mix.png: softmax(w) of each ELMo listener's scalar mix per run
(read from training/<run>/model-best).
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402
import spacy  # noqa: E402
import srsly  # noqa: E402
import typer  # noqa: E402

TASKS = {"ner": ("CoNLL-2003 NER", "ents_f"), "textcat": ("SST-5", "cats_micro_f"), "textcat2": ("SST-2", "cats_micro_f")}


def mix_weights(model_dir: Path):
    """{component: softmax(w)} for every ELMo listener scalar mix in a pipeline."""
    nlp = spacy.load(model_dir)
    found = {}
    for name, component in nlp.components:
        model = getattr(component, "model", None)
        if model is None or name == "elmo":
            continue
        for node in model.walk():
            if node.name == "elmo_scalar_mix" and node.has_param("W"):
                w = numpy.asarray(node.ops.to_numpy(node.get_param("W")), dtype="float64")
                found[name] = numpy.exp(w - w.max()) / numpy.exp(w - w.max()).sum()
    return found


def main(training: Path, plots: Path) -> None:
    plots.mkdir(parents=True, exist_ok=True)
    runs = sorted(p for p in training.iterdir() if (p / "log.jsonl").is_file() and p.name.split("-", 1)[0] in TASKS)
    tasks = [t for t in TASKS if any(r.name.split("-", 1)[0] == t for r in runs)]
    if not tasks:
        raise SystemExit(f"No training logs (*/log.jsonl) in {training}")
    fig, axes = plt.subplots(1, len(tasks), figsize=(6 * len(tasks), 4), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        title, key = TASKS[task]
        for run in runs:
            if run.name.split("-", 1)[0] != task:
                continue
            records = list(srsly.read_jsonl(run / "log.jsonl"))
            ax.plot([r["step"] for r in records], [100 * r["scores"].get(key, 0) for r in records], marker=".", label=run.name)
        ax.set(title=f"{title}: dev score during training", xlabel="training step (runs differ in cost per step: see the results table)", ylabel=f"dev {key} (%)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(plots / "dev_curves.png", dpi=120)
    print(f"wrote {plots / 'dev_curves.png'}")

    mixes = {}
    for run in runs:
        if (run / "model-best").is_dir():
            for component, weights in mix_weights(run / "model-best").items():
                mixes[f"{run.name} ({component})"] = weights
    if mixes:
        fig, ax = plt.subplots(figsize=(7, 1.4 + 0.45 * len(mixes)))
        names = list(mixes)
        n_layers = max(len(w) for w in mixes.values())
        left = numpy.zeros(len(names))
        for layer in range(n_layers):
            values = numpy.array([mixes[n][layer] if layer < len(mixes[n]) else 0 for n in names])
            ax.barh(names, values, left=left, label=["token layer", "biLSTM 1", "biLSTM 2", "biLSTM 3"][min(layer, 3)])
            left += values
        ax.set(xlabel="softmax(s): share of each ELMo layer", title="Learned layer mix per task", xlim=(0, 1))
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
        fig.savefig(plots / "layer_mix.png", dpi=120, bbox_inches="tight")
        print(f"wrote {plots / 'layer_mix.png'}")
        for name, weights in mixes.items():
            print(f"{name}: " + ", ".join(f"{w:.3f}" for w in weights))


if __name__ == "__main__":
    typer.run(main)
