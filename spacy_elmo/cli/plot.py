"""`python -m spacy_elmo plot DIR_OR_LOG --output curves.png`."""
from pathlib import Path

import typer

from . import app


@app.command("plot")
def plot_cli(
    log: Path = typer.Argument(..., help="log.jsonl of a pretraining run, or its --output directory", exists=True),
    output: Path = typer.Option(..., "--output", "-o", help="PNG file to write"),
    dpi: int = typer.Option(120, "--dpi", help="Resolution"),
) -> None:
    """Draw training loss and dev perplexity curves (matplotlib) to a PNG."""
    from wasabi import msg

    from ..pretrain.plot import plot_log

    try:
        path = plot_log(log, output, dpi=dpi)
    except (ValueError, FileNotFoundError) as error:
        msg.fail(str(error), exits=1)
    msg.good(f"Wrote {path}")
