"""`python -m spacy_elmo convert-sst TREES OUTPUT.spacy --labels fine|binary`."""
from pathlib import Path

import typer
from spacy.tokens import DocBin
from wasabi import msg

from ..data.sst import sst_docs
from . import app


@app.command("convert-sst")
def convert_sst_cli(
    input_path: Path = typer.Argument(..., exists=True, dir_okay=False, help="SST PTB trees, one per line"),
    output_path: Path = typer.Argument(..., dir_okay=False, help="Output .spacy file"),
    labels: str = typer.Option("fine", "--labels", "-l", help="fine (SST-5) or binary (SST-2, neutral dropped)"),
    phrases: bool = typer.Option(False, "--phrases", help="Every labelled phrase (subtree) is a doc, for training"),
) -> None:
    """Convert Stanford Sentiment Treebank trees to a textcat .spacy corpus (sentences, or phrases with --phrases)."""
    docs = DocBin(store_user_data=False)
    for doc in sst_docs(input_path, labels=labels, phrases=phrases):
        docs.add(doc)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    docs.to_disk(output_path)
    unit = "phrase" if phrases else "sentence"
    msg.good(f"Wrote {len(docs)} {labels} SST {unit} docs to {output_path}")
