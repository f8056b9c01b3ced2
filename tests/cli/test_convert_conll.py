from typer.testing import CliRunner

import spacy
from spacy.tokens import DocBin

from spacy_elmo.cli import app


def test_convert_conll_command(tmp_path):
    source = tmp_path / "in.conll"
    source.write_text("-DOCSTART- -X- O O\n\nPeter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\nflew VBD I-VP O\n",
                      encoding="utf-8")
    result = CliRunner().invoke(app, ["convert-conll", str(source), str(tmp_path / "out.spacy")])
    assert result.exit_code == 0, result.output
    assert "1 docs, 1 sentences, 1 entities" in result.output
    doc = next(DocBin().from_disk(tmp_path / "out.spacy").get_docs(spacy.blank("en").vocab))
    assert [(e.text, e.label_) for e in doc.ents] == [("Peter Blackburn", "PER")]


def test_convert_conll_missing_input(tmp_path):
    result = CliRunner().invoke(app, ["convert-conll", str(tmp_path / "nope"), str(tmp_path / "out.spacy")])
    assert result.exit_code == 1
    assert "Input file not found" in result.output
