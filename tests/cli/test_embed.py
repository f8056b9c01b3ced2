import json

import h5py
import numpy
import pytest
from typer.testing import CliRunner

from spacy_elmo import ElmoBiLM
from spacy_elmo.cli import app

from ..elmo_helpers import elmo_nlp, fixture_paths

LINES = ["The cat sat on the mat .", "A dog", "", "Peter Blackburn flew to Brussels on Monday ."]


@pytest.fixture(scope="module")
def bilm(allennlp_fixture):
    return ElmoBiLM.from_allennlp(*fixture_paths(allennlp_fixture))


def run(args):
    result = CliRunner().invoke(app, ["embed", *map(str, args), "--quiet"])
    return result


def weight_args(allennlp_fixture):
    options, weights = fixture_paths(allennlp_fixture)
    return ["--weights", weights, "--options", options]


def test_all_layers_match_the_bilm(tmp_path, allennlp_fixture, bilm):
    source = tmp_path / "in.txt"
    source.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    result = run([source, tmp_path / "out.hdf5", *weight_args(allennlp_fixture)])
    assert result.exit_code == 0, result.output
    expected = bilm.embed_sentences([line.split() for line in LINES])
    with h5py.File(tmp_path / "out.hdf5", "r") as f:
        assert f.attrs["n_sentences"] == 4
        assert [s.decode() for s in f["sentences"][:]] == LINES
        for i, reference in enumerate(expected):
            assert f[str(i)].shape == (3, len(LINES[i].split()), 32)
            numpy.testing.assert_allclose(f[str(i)][:], reference, atol=1e-5)


@pytest.mark.parametrize("mode,extra", [("top", []), ("average", []), ("mix", ["--mix-weights", "1,0,3"])])
def test_mixed_modes(tmp_path, allennlp_fixture, bilm, mode, extra):
    source = tmp_path / "in.txt"
    source.write_text("\n".join(LINES), encoding="utf-8")
    result = run([source, tmp_path / "out.hdf5", *weight_args(allennlp_fixture), "--mode", mode, *extra])
    assert result.exit_code == 0, result.output
    layers = bilm.embed_sentences([LINES[0].split()])[0]
    expected = {"top": layers[2], "average": layers.mean(0), "mix": (layers[0] + 3 * layers[2]) / 4}[mode]
    with h5py.File(tmp_path / "out.hdf5", "r") as f:
        numpy.testing.assert_allclose(f["0"][:], expected, atol=1e-5)


def test_jsonl_spacy_tokenizer_long_lines_and_sentence_index(tmp_path, allennlp_fixture, bilm):
    source = tmp_path / "in.jsonl"
    long_text = " ".join(["word"] * 300)
    source.write_text("\n".join(json.dumps({"body": t}) for t in ["Hello, world!", long_text]), encoding="utf-8")
    result = run([source, tmp_path / "out.hdf5", *weight_args(allennlp_fixture), "--field", "body", "--tokenizer",
                  "spacy", "--max-tokens", "100", "--sentence-to-index"])
    assert result.exit_code == 0, result.output
    with h5py.File(tmp_path / "out.hdf5", "r") as f:
        numpy.testing.assert_allclose(f["0"][:], bilm.embed_sentences([["Hello", ",", "world", "!"]])[0], atol=1e-5)
        assert f["1"].shape == (3, 300, 32)
        window = bilm.embed_sentences([["word"] * 100])[0]
        numpy.testing.assert_allclose(f["1"][:, 200:], window, atol=1e-5)
        index = json.loads(f["sentence_to_index"][()])
        assert index == {"Hello, world!": "0", long_text: "1"}


def test_pipeline_option(tmp_path, allennlp_fixture, bilm):
    nlp = elmo_nlp(allennlp_fixture)
    nlp.to_disk(tmp_path / "pipeline")
    source = tmp_path / "in.txt"
    source.write_text("A dog\n", encoding="utf-8")
    result = run([source, tmp_path / "out.hdf5", "--pipeline", tmp_path / "pipeline", "--forget-sentences"])
    assert result.exit_code == 0, result.output
    with h5py.File(tmp_path / "out.hdf5", "r") as f:
        assert "sentences" not in f
        numpy.testing.assert_allclose(f["0"][:], bilm.embed_sentences([["A", "dog"]])[0], atol=1e-5)


@pytest.mark.parametrize(
    "content,args,message",
    [
        ("a b\n", ["--mode", "bogus"], "Invalid embed output mode"),
        ("a b\n", ["--mode", "mix", "--mix-weights", "1,2"], "got 2 weights for 3 biLM layers"),
        ("a b\n", ["--mode", "mix"], "together with --mix-weights"),
        ('{"text": 3}\n', ["--format", "jsonl"], "line 1: cannot read a JSON object"),
    ],
)
def test_errors(tmp_path, allennlp_fixture, content, args, message):
    source = tmp_path / "in.txt"
    source.write_text(content, encoding="utf-8")
    result = run([source, tmp_path / "out.hdf5", *weight_args(allennlp_fixture), *args])
    assert result.exit_code == 1
    assert message in result.output


def test_no_weights_and_no_default_model(tmp_path, monkeypatch):
    from spacy_elmo.pipeline import loaders

    monkeypatch.setattr(loaders, "DEFAULT_MODEL_DIR", tmp_path / "no_default_model")
    source = tmp_path / "in.txt"
    source.write_text("a\n", encoding="utf-8")
    result = run([source, tmp_path / "out.hdf5"])
    assert result.exit_code == 1 and "needs a biLM" in result.output


def test_no_weights_uses_the_bundled_default_model(tmp_path):
    from spacy_elmo.pipeline.loaders import default_model_available, load_default_model

    if not default_model_available():
        pytest.skip("no default model in spacy_elmo/default_model")
    source = tmp_path / "in.txt"
    source.write_text("The cat sat .\n", encoding="utf-8")
    result = run([source, tmp_path / "out.hdf5"])
    assert result.exit_code == 0, result.output
    with h5py.File(tmp_path / "out.hdf5", "r") as handle:
        vectors = handle["0"][...]
    expected = load_default_model().embed_sentences([["The", "cat", "sat", "."]])[0]
    numpy.testing.assert_allclose(vectors, expected, rtol=1e-5, atol=1e-5)
