import pytest
import torch

from spacy_elmo import ElmoBiLM
from spacy_elmo.model.chars import batch_to_ids
from spacy_elmo.pretrain.export import export_model
from spacy_elmo.pretrain.loop import train

from .util import tiny_config, write_toy_corpus

SENTENCES = [["The", "old", "cat", "sees", "the", "dog", "."], ["Unseen", "wörds", "too"], []]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    corpus = write_toy_corpus(root / "train.txt", 200, seed=0)
    result = train(tiny_config(corpus, **{"training.max_steps": 6}), root / "out")
    return root / "out", result.model.bilm


def test_allennlp_round_trip_gives_identical_layers(tmp_path, trained):
    output_dir, in_memory = trained
    files = export_model(output_dir, tmp_path / "allennlp", format="allennlp")
    assert sorted(p.name for p in files.values()) == ["options.json", "vocab.txt", "weights.hdf5"]
    loaded = ElmoBiLM.from_allennlp(files["options"], files["weights"])
    in_memory.eval()
    char_ids = batch_to_ids(SENTENCES)
    with torch.no_grad():
        expected, loaded_out = in_memory(char_ids), loaded(char_ids)
    assert torch.equal(expected.mask, loaded_out.mask)
    assert torch.equal(expected.layers, loaded_out.layers)
    # the trained model is not the random initialisation
    fresh = ElmoBiLM(config=in_memory.config).eval()
    with torch.no_grad():
        assert not torch.allclose(fresh(char_ids).layers, expected.layers)


def test_native_float16_export_halves_the_size_and_loads_as_float32(tmp_path, trained):
    output_dir, in_memory = trained
    full = export_model(output_dir, tmp_path / "fp32", format="native")
    half = export_model(output_dir, tmp_path / "fp16", format="native", dtype="float16")
    assert half["weights"].stat().st_size < 0.55 * full["weights"].stat().st_size
    loaded = ElmoBiLM.from_disk(tmp_path / "fp16")
    assert all(p.dtype == torch.float32 for p in loaded.parameters())
    for (name, a), b in zip(in_memory.state_dict().items(), loaded.state_dict().values()):
        torch.testing.assert_close(b, a.half().float(), rtol=0, atol=0, msg=name)


def test_export_errors(tmp_path, trained):
    output_dir, _ = trained
    with pytest.raises(ValueError, match="Unknown export format"):
        export_model(output_dir, tmp_path / "x", format="onnx")
    with pytest.raises(FileNotFoundError, match="No trained biLM"):
        export_model(tmp_path, tmp_path / "x")
    with pytest.raises(FileNotFoundError, match="model-best"):
        export_model(output_dir, tmp_path / "x", which="best")  # no dev set: no model-best
