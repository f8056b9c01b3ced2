"""Reading and writing the published options.json + weights.hdf5 layout, and its errors."""
import json
import shutil

import h5py
import numpy
import pytest
import torch

from spacy_elmo.weights import load_allennlp, read_options, save_allennlp

SENTENCES = [["The", "cat", "sat", "on", "the", "mat", "."], ["Hi"]]


@pytest.fixture
def model_dir(tmp_path, reference_small):
    shutil.copy(reference_small / "options.json", tmp_path / "options.json")
    shutil.copy(reference_small / "weights.hdf5", tmp_path / "weights.hdf5")
    (tmp_path / "weights.hdf5").chmod(0o644)
    (tmp_path / "options.json").chmod(0o644)
    return tmp_path


def edit_options(model_dir, change):
    options = json.loads((model_dir / "options.json").read_text())
    change(options)
    (model_dir / "options.json").write_text(json.dumps(options))


def test_read_write_read_is_exact(model_dir, tmp_path_factory):
    first = load_allennlp(model_dir / "options.json", model_dir / "weights.hdf5")
    out = tmp_path_factory.mktemp("written")
    save_allennlp(first, out / "options.json", out / "weights.hdf5")
    second = load_allennlp(out / "options.json", out / "weights.hdf5")
    with h5py.File(model_dir / "weights.hdf5", "r") as original, h5py.File(out / "weights.hdf5", "r") as written:
        names = []
        original.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)
        for name in names:
            numpy.testing.assert_array_equal(original[name][...], written[name][...], err_msg=name)
    for (name, a), (_, b) in zip(first.state_dict().items(), second.state_dict().items()):
        assert torch.equal(a, b), name
    numpy.testing.assert_array_equal(first.embed_sentences(SENTENCES)[0], second.embed_sentences(SENTENCES)[0])
    assert read_options(out / "options.json") == first.config


def test_unknown_option_keys_are_ignored(model_dir):
    def add_training_keys(options):
        options["n_epochs"] = 10
        options["lstm"]["dropout"] = 0.1
        options["char_cnn"]["something_new"] = True
    edit_options(model_dir, add_training_keys)
    assert load_allennlp(model_dir / "options.json", model_dir / "weights.hdf5").config.projection_dim == 32


@pytest.mark.parametrize("section,key", [("lstm", "cell_clip"), ("lstm", "projection_dim"), ("char_cnn", "filters"), ("lstm", "n_layers")])
def test_missing_option_is_named(model_dir, section, key):
    edit_options(model_dir, lambda options: options[section].pop(key))
    with pytest.raises(ValueError, match=rf"lacks the key '{section}\.{key}'"):
        read_options(model_dir / "options.json")


def test_invalid_options_json(model_dir):
    (model_dir / "options.json").write_text("{not json")
    with pytest.raises(ValueError, match="Cannot read options file"):
        read_options(model_dir / "options.json")
    with pytest.raises(FileNotFoundError, match="Options file not found"):
        read_options(model_dir / "missing.json")


def test_bad_option_values(model_dir):
    edit_options(model_dir, lambda options: options["char_cnn"].update(activation="gelu"))
    with pytest.raises(ValueError, match="gelu"):
        read_options(model_dir / "options.json")
    edit_options(model_dir, lambda options: options["char_cnn"].update(activation="relu", filters=[[1, "x"]]))
    with pytest.raises(ValueError, match="char_cnn.filters"):
        read_options(model_dir / "options.json")


def rewrite_weights(model_dir, change):
    with h5py.File(model_dir / "weights.hdf5", "a") as handle:
        change(handle)


def test_missing_dataset_is_named(model_dir):
    rewrite_weights(model_dir, lambda h: h.__delitem__("RNN_1/RNN/MultiRNNCell/Cell1/LSTMCell/W_P_0"))
    with pytest.raises(ValueError, match=r"lacks the dataset 'RNN_1/RNN/MultiRNNCell/Cell1/LSTMCell/W_P_0'"):
        load_allennlp(model_dir / "options.json", model_dir / "weights.hdf5")


def test_shape_mismatch_names_dataset_and_both_shapes(model_dir):
    def shrink(handle):
        del handle["CNN_proj/W_proj"]
        handle.create_dataset("CNN_proj/W_proj", data=numpy.zeros((124, 16), dtype="float32"))
    rewrite_weights(model_dir, shrink)
    with pytest.raises(ValueError, match=r"'CNN_proj/W_proj' has shape \(124, 16\), but the options imply \(124, 32\)"):
        load_allennlp(model_dir / "options.json", model_dir / "weights.hdf5")


def test_options_that_do_not_fit_the_weights(model_dir):
    edit_options(model_dir, lambda options: options["lstm"].update(dim=128))
    with pytest.raises(ValueError, match=r"LSTMCell/W_0' has shape \(64, 256\), but the options imply \(64, 512\)"):
        load_allennlp(model_dir / "options.json", model_dir / "weights.hdf5")


def test_truncated_weight_file(model_dir):
    data = (model_dir / "weights.hdf5").read_bytes()
    (model_dir / "weights.hdf5").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated, corrupt or not HDF5"):
        load_allennlp(model_dir / "options.json", model_dir / "weights.hdf5")


def test_not_an_hdf5_file(model_dir):
    (model_dir / "weights.hdf5").write_bytes(b"PK\x03\x04 this is a zip, not hdf5" * 100)
    with pytest.raises(ValueError, match="truncated, corrupt or not HDF5"):
        load_allennlp(model_dir / "options.json", model_dir / "weights.hdf5")
    with pytest.raises(FileNotFoundError, match="Weight file not found"):
        load_allennlp(model_dir / "options.json", model_dir / "nope.hdf5")


def test_non_finite_weights(model_dir):
    def poison(handle):
        handle["CNN/b_cnn_0"][0] = numpy.nan
    rewrite_weights(model_dir, poison)
    with pytest.raises(ValueError, match="'CNN/b_cnn_0' holds non-finite"):
        load_allennlp(model_dir / "options.json", model_dir / "weights.hdf5")
