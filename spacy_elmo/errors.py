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

    # E2xx: spaCy glue (layers, the elmo component, listeners, data conversion, CLI)
    E200 = ("The elmo component {name!r} has no biLM weights. Supply them in one of three ways: in the component "
            "config (weights = path to weights.hdf5 together with options = path to options.json, or weights = a "
            "directory with config.json + model.safetensors); at initialize, with [initialize.components.{name}."
            "loader] @misc = \"spacy_elmo.AllenNLPLoader.v1\" (options = ..., weights = ...) and nlp.initialize(); "
            "or by loading a trained pipeline from disk. A default model is used when spacy_elmo/default_model/ "
            "holds config.json + model.safetensors.")
    E201 = ("The elmo component config gives weights = {weights!r} as a file but no options file. An AllenNLP "
            "weights.hdf5 needs options = path to its options.json; a native model is a directory with "
            "config.json + model.safetensors.")
    E202 = ("The ElmoModel has no biLM yet, so it cannot run. Load weights through the elmo component "
            "(nlp.initialize() with a loader, or weights/options in its config) or call "
            "spacy_elmo.layers.elmo_model.set_bilm(model, bilm).")
    E203 = ("Span getter {name!r}: {setting} must be a positive integer, got {value!r}. ELMo is fed windows of at "
            "most this many tokens.")
    E204 = ("The span getter returned spans that do not tile doc {index} exactly: token {token} is covered "
            "{count} times. A span getter must return non-overlapping spans that cover every token once "
            "(spacy_elmo.sent_spans.v1 and spacy_elmo.strided_spans.v1 do).")
    E205 = ("tensor_layer_weights has {n_weights} values but the biLM has {n_layers} layers. Give one weight per "
            "layer (they are normalised to sum to 1), or null for the uniform average.")
    E206 = ("The ELMo listener (upstream {upstream!r}) does not know the biLM's layer count and width. "
            "Initialize the pipeline with the elmo component before its listeners (nlp.initialize() does this "
            "when elmo comes first in the pipeline), or load a trained pipeline.")
    E207 = ("The ELMo listener was set up for a biLM with {expected_layers} layers of width {expected_width}, "
            "but the upstream elmo component {name!r} gives {n_layers} layers of width {width}. Use the weights the "
            "listener was trained with, or re-initialize the downstream component.")
    E208 = ("The ELMo listener received no features for this batch while training. Either the elmo component is "
            "not updated (it is in [training] frozen_components): then also list it in [training] "
            "annotating_components so that doc._.elmo is set; or the elmo component comes after its listener "
            "in the pipeline: move it before.")
    E209 = ("The ELMo listener received features for another batch (batch id {expected}, called with {found}). "
            "Call the elmo component's update with the same examples, right before its listeners.")
    E211 = ("Cannot read the biLM stored in this pipeline: {error}. The model data is damaged or was written by "
            "an incompatible spacy-elmo version; save the pipeline again.")
    E212 = ("The feature cache at {path} cannot be used: {error}. Delete the file or choose another cache_dir.")
    E213 = ("{path}, line {line}: expected a CoNLL-2003 line 'word POS chunk NE' (4 columns separated by "
            "whitespace), got {text!r}.")
    E214 = ("{path}, line {line}: invalid NE tag {tag!r}. CoNLL-2003 uses O, I-TYPE and B-TYPE (IOB1) or "
            "B-/I- (IOB2).")
    E215 = "Input file not found: {path}. Pass an existing file."
    E216 = ("Invalid embed output mode {value!r}: use 'all' (every layer), 'top' (last layer), 'average' "
            "(uniform mix) or 'mix' together with --mix-weights.")
    E217 = ("{path}, line {line}: cannot read a JSON object with a {field!r} string: {error}. In JSONL input each "
            "line must be an object such as {{\"text\": \"...\"}}; use --field to pick another key.")
    E218 = ("The embed command needs a biLM: pass --weights (and --options for an AllenNLP weights.hdf5), or a "
            "pipeline directory with an elmo component via --pipeline.")
    E219 = ("Layer count mismatch in --mix-weights: got {n_weights} weights for {n_layers} biLM layers. Give one "
            "weight per layer, comma-separated.")
    E220 = ("spacy_elmo.AllenNLPLoader.v1 has no {missing} path, and no default model is installed in "
            "spacy_elmo/default_model/. Set it in [initialize.components.elmo.loader], e.g. `spacy train config.cfg "
            "--paths.elmo_options options.json --paths.elmo_weights weights.hdf5` (or --paths.elmo_weights DIR for a "
            "native checkpoint directory).")
    E229 = ("spacy_elmo.AllenNLPLoader.v1 has an options path but no weights path. Give the weights.hdf5 that goes "
            "with it: `--paths.elmo_weights weights.hdf5`.")
    E230 = ("spacy_elmo.ElmoListener.v1 has an encode layer but no width: the encoder reads the projected "
            "vectors, so set width to the encoder's input width (e.g. width = 96 with "
            "spacy.MaxoutWindowEncoder.v2 width = 96).")
    E231 = ("The ELMo listener's encode layer cannot take vectors of the listener's width {width}: {error}. "
            "Give the encoder the same width as the listener (width = {width}).")

    # E3xx: pretraining (corpora, vocabulary, training loop, checkpoints, export, plots)
    E300 = ("Corpus source not found: {path}. Pass existing files, directories, globs or zip archives "
            "(comma-separated), e.g. --paths.train corpus/train.txt.")
    E301 = ("Unknown corpus format {value!r} for {path}. Use 'text' (one sentence or doc per line), 'jsonl' "
            "(one {{\"text\": ...}} object per line), 'spacy' (a DocBin) or 'auto' (by file suffix).")
    E302 = ("The {name} corpus gave no usable sentence. Read {n_files} file(s) from {path}; skipped: {skipped}. "
            "Check the path and the format (text must be UTF-8, one sentence or doc per line).")
    E303 = ("Cannot read {path} as a .spacy DocBin: {error}. Write it with spacy.tokens.DocBin().to_disk, or use "
            "format 'text' or 'jsonl'.")
    E304 = ("The output vocabulary is too small: {n_words} word(s) reach min_count = {min_count}. Lower "
            "[vocab] min_count or train on more text.")
    E305 = ("Cannot read the vocabulary file {path}: {error}. It must list one token per line, starting with "
            "<S>, </S> and <UNK> (as written by the pretrain command).")
    E306 = ("The output directory {path} already holds a training checkpoint. Pass --resume to continue it, or "
            "choose a new --output directory.")
    E307 = "Cannot resume: there is no checkpoint at {path}. Start without --resume, or pass the right --output."
    E308 = ("Cannot read the training checkpoint {path}: {error}. The file is damaged or is not a spacy-elmo "
            "pretraining checkpoint; resume from an intact copy or start again.")
    E309 = ("The checkpoint {path} does not fit the current config: {detail}. Resume with the config the run "
            "started with (saved as config.cfg in the output directory).")
    E310 = "Invalid pretraining setting [{section}] {key} = {value!r}: {reason}"
    E311 = ("Adaptive softmax cutoffs {cutoffs} do not fit a vocabulary of {vocab_size} words: they must be "
            "increasing, positive and smaller than the vocabulary size. Change [softmax] cutoffs.")
    E312 = ("The sampled softmax draws {n_samples} samples but the vocabulary has only {vocab_size} words. "
            "Use fewer samples ([softmax] n_samples) or the full softmax.")
    E313 = ("Unknown device {value!r} in [system] device: use 'auto', 'cpu', 'cuda' or 'cuda:N'{hint}.")
    E314 = ("No trained biLM found in {path}: expected config.json + model.safetensors there, or a pretraining "
            "output directory with {which}/. Pass the --output directory of `pretrain` or a model directory.")
    E315 = "Unknown export format {value!r}: use 'allennlp' (options.json + weights.hdf5) or 'native'."
    E316 = ("The training log {path} has no {kind} records to plot. Pass the log.jsonl of a pretraining run "
            "that has logged at least one step.")
    E317 = ("Cannot read the training log {path}: {error}. It must be the JSON-lines log.jsonl written by the "
            "pretrain command.")
    E318 = ("Cannot build the spaCy tokenizer for language {lang!r}: {error}. Use a language code spaCy "
            "supports, e.g. 'en'.")
    E319 = ("The checkpoint {path} was written by {saved} process(es) and is resumed by {current}. The weights, "
            "optimizer and data position are restored, but per-process random streams restart from the seed, so "
            "the continuation is not bit-identical to an uninterrupted run.")
    E320 = ("Training diverged at step {step}: the loss is {loss}. Lower [training.learn_rate] or "
            "[training] grad_clip, or enable it.")
    E321 = ("The training corpus differs from the one the checkpoint {path} was trained on ({saved} then, "
            "{current} now). Training continues, but the data position no longer points to the same sentences; "
            "resume with the same --paths.train and [corpora.train] settings for an exact continuation.")
    E280 = ("Not an SST tree: {line!r}. Expected one PTB-style tree per line, e.g. '(3 (2 The) (4 film))', as in "
            "Stanford's trainDevTestTrees_PTB files.")
    E281 = "Unknown SST label set {labels!r}: use 'fine' (SST-5, five classes) or 'binary' (SST-2, neutral dropped)."
