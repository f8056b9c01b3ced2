"""Every user-facing error message of spacy-elmo, in one place.

Codes are grouped: E0xx model and configuration, E1xx weight files,
E2xx spaCy glue (layers, component, CLI), E3xx pretraining.
Each message names the problem and says how to fix it.
"""


class Errors:
    # E0xx: model and configuration
    E001 = "Unknown char-CNN activation {value!r}: use 'relu' or 'tanh'."
    E002 = "Invalid model size: {name} = {value!r}; it must be a positive integer (a non-empty list for 'filters')."
    E003 = ("A char-CNN filter is wider than a token: filters {filters} but max_characters_per_token = "
            "{max_chars}. Use filter widths up to max_characters_per_token.")
    E004 = ("char_ids must be an integer tensor of shape (batch, n_tokens, {max_chars}); got shape {shape} and "
            "dtype {dtype}. Build it with spacy_elmo.model.chars.batch_to_ids(sentences).")
    E005 = ("Expected a list of sentences, each a list of token strings; got {type_name} at position {index}. "
            "Split text into tokens first, e.g. [['The', 'cat'], ['Hi']].")
    E006 = ("Stateful mode is an inference-only compatibility mode for AllenNLP; it cannot be used while "
            "training. Call bilm.eval(), or build the model with stateful=False.")
    E007 = ("The scalar mix has {n_weights} weights but got {n_layers} layers. Build ScalarMix(n_layers=...) "
            "with the biLM's n_representation_layers.")

    # E1xx: weight files
    E100 = "Options file not found: {path}. Pass the options.json that came with the weights."
    E101 = "Cannot read options file {path}: {error}. It must be the JSON options file of an ELMo model."
    E102 = ("Options file {path} lacks the key {key!r}. ELMo options need char_cnn.{{embedding.dim, filters, "
            "n_highway, activation, n_characters, max_characters_per_token}} and lstm.{{dim, projection_dim, "
            "n_layers, cell_clip, proj_clip, use_skip_connections}}.")
    E103 = "Options file {path}: key {key!r} has the invalid value {value!r} ({reason})."
    E110 = "Weight file not found: {path}. Pass the weights.hdf5 that came with options.json."
    E111 = ("Cannot read {path} as an HDF5 weight file: {error}. The file is truncated, corrupt or not HDF5; "
            "download or export it again.")
    E112 = ("Weight file {path} lacks the dataset {dataset!r}. The file does not match the options: check that "
            "options.json and the weights belong to the same model.")
    E113 = ("Weight file {path}: dataset {dataset!r} has shape {found}, but the options imply {expected}. Check "
            "that options.json and the weights belong to the same model.")
    E114 = "Weight file {path}: dataset {dataset!r} holds non-finite values (NaN or inf); the file is corrupt."
    E120 = ("Cannot read the spacy-elmo checkpoint in {path}: {error}. Expected a directory with config.json and "
            "model.safetensors, as written by spacy_elmo.weights.save_native.")
    E121 = ("The spacy-elmo checkpoint in {path} does not fit its config: {detail}. Write it again with "
            "spacy_elmo.weights.save_native.")
