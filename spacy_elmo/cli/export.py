"""`python -m spacy_elmo export DIR --format allennlp --output OUTDIR`."""
from pathlib import Path

import typer

from . import app


@app.command("export")
def export_cli(
    source: Path = typer.Argument(..., help="A pretraining --output directory, or a model directory", exists=True),
    output: Path = typer.Option(..., "--output", "-o", help="Directory to write"),
    format: str = typer.Option("allennlp", "--format", "-f", help="allennlp (options.json + weights.hdf5) or native"),
    which: str = typer.Option("last", "--which", help="In a pretraining directory: last or best (model-last / model-best)"),
    dtype: str = typer.Option("float32", "--dtype", help="native format only: float32, float16 or bfloat16"),
) -> None:
    """Export a pretrained biLM, e.g. to the published AllenNLP/bilm-tf layout."""
    from wasabi import msg

    from ..pretrain.export import export_model

    try:
        files = export_model(source, output, format=format, which=which, dtype=dtype)
    except (ValueError, FileNotFoundError) as error:
        msg.fail(str(error), exits=1)
    msg.good(f"Exported ({format}): " + ", ".join(str(p) for p in files.values()))
