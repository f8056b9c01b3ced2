"""biLM pretraining on raw text: corpora, vocabulary, softmax heads, loop, checkpoints, DDP, evaluation, export.

The PyTorch parts (model, softmax, batching, checkpoint, evaluate) do not import
spaCy; corpus reading (tokenize, corpus), the config registry and the loop do.
Import submodules directly, e.g. `from spacy_elmo.pretrain.loop import train`.
"""
