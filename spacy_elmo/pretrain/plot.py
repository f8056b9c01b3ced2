"""Loss and perplexity curves of a pretraining run (log.jsonl) -> PNG, with matplotlib."""
import math
import os
from pathlib import Path
from typing import Union

from ..errors import Errors
from .jsonlog import read_log


def plot_log(log_path: Union[str, os.PathLike], output: Union[str, os.PathLike], *, dpi: int = 120) -> Path:
    """Left: training loss per direction (and the mean) by step; right: dev perplexities by step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    log_path = Path(log_path)
    if log_path.is_dir():
        log_path = log_path / "log.jsonl"
    if not log_path.is_file():
        raise FileNotFoundError(Errors.E317.format(path=log_path, error="no such file"))
    records = list(read_log(log_path))
    train = [r for r in records if r.get("event") == "train"]
    evals = [r for r in records if r.get("event") == "eval"]
    if not train:
        raise ValueError(Errors.E316.format(path=log_path, kind="training"))
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    steps = [r["step"] for r in train]
    for key, label in (("forward_loss", "forward"), ("backward_loss", "backward"), ("loss", "mean")):
        left.plot(steps, [r[key] for r in train], label=label)
    left.set(xlabel="step", ylabel="training loss (nats / token)", title="Training loss")
    left.legend()
    if evals:
        eval_steps = [r["step"] for r in evals]
        for key, label in (("forward_ppl", "forward"), ("backward_ppl", "backward"), ("mean_ppl", "mean")):
            right.plot(eval_steps, [r[key] for r in evals], marker="o", label=label)
        if all(r["mean_ppl"] > 0 and math.isfinite(r["mean_ppl"]) for r in evals):
            right.set_yscale("log")
        right.legend()
    else:
        right.text(0.5, 0.5, "no evaluation records\n(set paths.dev)", ha="center", va="center", transform=right.transAxes)
    right.set(xlabel="step", ylabel="perplexity", title="Dev perplexity")
    figure.tight_layout()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp.png")
    figure.savefig(tmp, dpi=dpi)
    plt.close(figure)
    os.replace(tmp, output)
    return output
