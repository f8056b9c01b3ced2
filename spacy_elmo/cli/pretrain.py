"""`python -m spacy_elmo pretrain CONFIG --output DIR [--resume] [--paths.train FILE --training.max_steps 20 ...]`."""
import json
from pathlib import Path
from typing import Optional

import typer

from . import app


@app.command(
    "pretrain",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def pretrain_cli(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Pretraining config (.cfg), e.g. configs/pretrain_bilm.cfg",
                                       exists=True, dir_okay=False, allow_dash=False),
    output: Path = typer.Option(..., "--output", "-o", help="Output directory (checkpoints, logs, models)"),
    resume: bool = typer.Option(False, "--resume", help="Continue from the checkpoint in --output"),
    code: Optional[Path] = typer.Option(None, "--code", "-c", help="Python file with extra registered functions"),
) -> None:
    """Pretrain an ELMo biLM on raw text. Config settings can be overridden like `spacy train`:
    --paths.train FILE --paths.dev FILE --training.max_steps 20. Run under
    `torchrun --nproc_per_node N -m spacy_elmo pretrain ...` for several processes / GPUs."""
    from spacy.cli._util import import_code, parse_config_overrides, show_validation_error
    from wasabi import msg

    from ..pretrain.config import load_config
    from ..pretrain.loop import train

    overrides = parse_config_overrides(ctx.args)
    import_code(code)
    with show_validation_error(config_path, hint_fill=False):
        config = load_config(config_path, overrides)
    try:
        with show_validation_error(config_path, hint_fill=False):
            summary = train(config, output, resume=resume).summary
    except (ValueError, FileNotFoundError, FileExistsError, FloatingPointError) as error:
        msg.fail(str(error), exits=1)
    import os

    if int(os.environ.get("RANK", "0")) == 0:
        dev = summary["dev"]
        msg.good(f"Trained {summary['step']} steps ({summary['tokens']} tokens, {summary['train_seconds']:.0f} s): "
                 f"{output}/model-last" + (f"; dev perplexity fwd {dev['forward_ppl']:.2f} bwd "
                                            f"{dev['backward_ppl']:.2f} mean {dev['mean_ppl']:.2f}" if dev else ""))


@app.command("perplexity")
def perplexity_cli(
    run_dir: Path = typer.Argument(..., help="The --output directory of a pretraining run", exists=True, file_okay=False),
    heldout: str = typer.Argument(..., help="Held-out corpus (file, directory, glob or zip; read like [corpora.dev])"),
    which: str = typer.Option("last", "--which", help="last or best (model-last / model-best)"),
    limit: int = typer.Option(0, "--limit", help="Evaluate the first N sentences only (0 = all)"),
    n_threads: int = typer.Option(0, "--n-threads", help="torch threads (0 = default)"),
    output: Optional[Path] = typer.Option(None, "--output", help="Also write the result as JSON to this file"),
) -> None:
    """Forward, backward and mean perplexity of a pretrained biLM on a held-out file."""
    from wasabi import msg

    from ..pretrain.heldout import evaluate_heldout

    try:
        result = evaluate_heldout(run_dir, heldout, which=which, limit_sentences=limit, n_threads=n_threads)
    except (ValueError, FileNotFoundError) as error:
        msg.fail(str(error), exits=1)
    print(json.dumps(result.to_dict()))
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
    msg.good(f"Perplexity on {result.n_sentences} sentences ({result.n_predictions} predictions per direction): "
             f"forward {result.forward_ppl:.2f}, backward {result.backward_ppl:.2f}, mean {result.mean_ppl:.2f}")
