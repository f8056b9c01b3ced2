"""`python -m spacy_elmo convert-conll IN OUT.spacy`: CoNLL-2003 (IOB1) -> a spaCy DocBin."""
from pathlib import Path

import typer

from . import app


@app.command("convert-conll")
def convert_conll_cli(
    input_path: Path = typer.Argument(..., help="CoNLL-2003 file (word POS chunk NE, IOB1 tags)"),
    output_path: Path = typer.Argument(..., help="output .spacy file"),
    n_sents: int = typer.Option(10, "--n-sents", "-n", help="sentences per Doc (0: one Doc per -DOCSTART- document)"),
    lang: str = typer.Option("en", "--lang", help="language of the vocab"),
) -> None:
    """Convert CoNLL-2003 NER data to .spacy for `spacy train`, decoding IOB1 correctly."""
    from ..data.conll import convert_conll

    try:
        n_docs, n_sentences, n_entities = convert_conll(input_path, output_path, lang=lang, n_sents=n_sents)
    except (ValueError, FileNotFoundError) as error:
        typer.secho(str(error), err=True, fg=typer.colors.RED)
        raise typer.Exit(1)
    typer.echo(f"{output_path}: {n_docs} docs, {n_sentences} sentences, {n_entities} entities")
