"""`python -m spacy_elmo ...` and `python -m spacy elmo ...`: one typer app, one module per command."""
import typer

app = typer.Typer(name="elmo", help="spacy-elmo: ELMo for spaCy (embed, pretrain, export, ...)", no_args_is_help=True)

# Each command module registers itself on `app` when imported.
# (command modules are imported below, one line each)


def setup_spacy_cli() -> None:
    """Expose the same commands as `python -m spacy elmo ...` (spaCy's `spacy_cli` entry point)."""
    from spacy.cli._util import app as spacy_app

    if not any(group.name == "elmo" for group in spacy_app.registered_groups):
        spacy_app.add_typer(app, name="elmo")


setup_spacy_cli()

from . import pretrain  # noqa: E402,F401
from . import export  # noqa: E402,F401
from . import plot  # noqa: E402,F401
from . import convert_sst  # noqa: E402,F401
from . import convert_conll  # noqa: E402,F401
from . import embed  # noqa: E402,F401
