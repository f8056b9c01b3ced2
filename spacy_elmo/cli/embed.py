"""`python -m spacy_elmo embed INPUT OUTPUT.hdf5`: a corpus to ELMo vectors."""
from pathlib import Path
from typing import Optional

import typer

from . import app


@app.command("embed")
def embed_cli(
    input_path: Path = typer.Argument(..., help="one sentence or doc per line (.txt) or JSON lines (.jsonl)"),
    output_path: Path = typer.Argument(..., help="output HDF5 file"),
    weights: Optional[Path] = typer.Option(None, "--weights", "-w",
                                           help="weights.hdf5 (with --options) or a directory with config.json + "
                                                "model.safetensors"),
    options: Optional[Path] = typer.Option(None, "--options", "-o", help="options.json of an AllenNLP weights.hdf5"),
    pipeline: Optional[Path] = typer.Option(None, "--pipeline", "-p", help="a spaCy pipeline with an elmo component"),
    mode: str = typer.Option("all", "--mode", "-m", help="all (every layer) | top | average | mix"),
    mix_weights: Optional[str] = typer.Option(None, "--mix-weights", help="comma-separated layer weights for --mode mix"),
    format: str = typer.Option("auto", "--format", help="text | jsonl | auto (by suffix)"),
    field: str = typer.Option("text", "--field", help="JSONL key holding the text"),
    tokenizer: str = typer.Option("whitespace", "--tokenizer", help="whitespace (pre-tokenized) | spacy"),
    lang: str = typer.Option("en", "--lang", help="language of the spaCy tokenizer"),
    spans: str = typer.Option("line", "--spans", help="line (one sequence per line) | sentences (split lines)"),
    max_tokens: int = typer.Option(128, "--max-tokens", help="longest sequence fed to the biLM"),
    batch_size: int = typer.Option(64, "--batch-size", "-b", help="lines per batch"),
    forget_sentences: bool = typer.Option(False, "--forget-sentences", help="do not store the text of each line"),
    sentence_to_index: bool = typer.Option(False, "--sentence-to-index",
                                           help="also write AllenNLP's sentence_to_index JSON (held in memory)"),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU to use (-1: CPU)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
) -> None:
    """Embed a corpus with ELMo: every layer or a mix per token, streamed to HDF5 with the line index."""
    from thinc.api import require_gpu

    from ..embed.run import embed_corpus

    if gpu_id >= 0:
        require_gpu(gpu_id)
    try:
        bilm = _load_bilm(weights, options, pipeline)
        n = embed_corpus(input_path, output_path, bilm, mode=mode, mix_weights=mix_weights, format=format,
                         field=field, tokenizer=tokenizer, lang=lang, spans=spans, max_tokens=max_tokens,
                         batch_size=batch_size, keep_sentences=not forget_sentences,
                         sentence_to_index=sentence_to_index, progress=not quiet)
    except (ValueError, FileNotFoundError) as error:
        typer.secho(str(error), err=True, fg=typer.colors.RED)
        raise typer.Exit(1)
    typer.echo(f"{output_path}: {n} lines ({mode})")


def _load_bilm(weights, options, pipeline):
    from ..errors import Errors
    from ..pipeline.loaders import default_model_available, load_configured_weights, load_default_model

    if pipeline is not None:
        import spacy

        nlp = spacy.load(pipeline)
        for _, proc in nlp.pipeline:
            if getattr(proc, "bilm", None) is not None:
                return proc.bilm
        raise ValueError(Errors.E218)
    if weights is not None:
        return load_configured_weights(weights, options)
    if default_model_available():
        return load_default_model()
    raise ValueError(Errors.E218)
