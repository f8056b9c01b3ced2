"""Stream a corpus through the biLM in batches and write vectors to HDF5 (bounded memory:
one batch of lines at a time; long lines are cut into windows of `max_tokens`)."""
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator, List, Optional

import numpy
from spacy.tokens import Doc
from spacy.vocab import Vocab

from ..errors import Errors
from ..layers import build_elmo_model, configure_sent_spans, configure_strided_spans, set_bilm
from ..model.bilm import ElmoBiLM
from .reader import count_lines, read_texts
from .writer import Hdf5VectorWriter

MODES = ("all", "top", "average", "mix")


def mix_layers(layers: numpy.ndarray, mode: str, weights: Optional[numpy.ndarray]) -> numpy.ndarray:
    """(K, n, C) -> the stored array: all (K, n, C), top (n, C), average (n, C), mix (n, C)."""
    if mode == "all":
        return layers
    if mode == "top":
        return layers[-1]
    if mode == "average":
        return layers.mean(axis=0)
    return numpy.tensordot(weights, layers, axes=1)


def parse_mix_weights(value: Optional[str], n_layers: int) -> Optional[numpy.ndarray]:
    if value is None:
        return None
    weights = numpy.asarray([float(v) for v in value.split(",")], dtype="float32")
    if weights.shape != (n_layers,):
        raise ValueError(Errors.E219.format(n_weights=len(weights), n_layers=n_layers))
    return weights / weights.sum()


def embed_corpus(
    input_path: Path,
    output_path: Path,
    bilm: ElmoBiLM,
    *,
    mode: str = "all",
    mix_weights: Optional[str] = None,
    format: str = "auto",
    field: str = "text",
    tokenizer: str = "whitespace",
    lang: str = "en",
    spans: str = "line",
    max_tokens: int = 128,
    batch_size: int = 64,
    keep_sentences: bool = True,
    sentence_to_index: bool = False,
    progress: bool = True,
) -> int:
    """Returns the number of lines written. tokenizer: 'whitespace' (split on spaces, as the
    reference command) or 'spacy' (spaCy's tokenizer for `lang`); spans: 'line' (a line is one
    sequence, cut into windows of max_tokens when longer) or 'sentences' (split lines into sentences)."""
    if mode not in MODES:
        raise ValueError(Errors.E216.format(value=mode))
    weights = parse_mix_weights(mix_weights, bilm.n_layers) if mode == "mix" else None
    if mode == "mix" and weights is None:
        raise ValueError(Errors.E216.format(value=mode))
    span_getter = configure_sent_spans(max_tokens=max_tokens) if spans == "sentences" else \
        configure_strided_spans(window=max_tokens)
    model = build_elmo_model(span_getter, max_batch_tokens=max(4096, max_tokens))
    set_bilm(model, bilm)
    model.initialize()
    make_doc = _doc_maker(tokenizer, lang)
    texts = read_texts(input_path, format=format, field=field)
    total = count_lines(input_path) if progress else None
    attrs = {"mode": mode, "tokenizer": tokenizer, "spans": spans, "n_layers": str(bilm.n_layers)}
    with Hdf5VectorWriter(output_path, keep_sentences=keep_sentences, sentence_to_index=sentence_to_index,
                          attrs=attrs) as writer:
        bar = _progress(total) if progress else None
        for batch in _batches(texts, batch_size):
            docs = [make_doc(text) for text in batch]
            for text, layers in zip(batch, model.predict(docs)):
                writer.write(text, mix_layers(layers, mode, weights))
            if bar is not None:
                bar.update(len(batch))
        if bar is not None:
            bar.close()
        return writer.count


def _doc_maker(tokenizer: str, lang: str):
    if tokenizer == "spacy":
        import spacy

        return spacy.blank(lang).make_doc
    vocab = Vocab()
    return lambda text: Doc(vocab, words=text.split())


def _batches(items: Iterable[str], size: int) -> Iterator[List[str]]:
    iterator = iter(items)
    while True:
        batch = list(islice(iterator, size))
        if not batch:
            return
        yield batch


def _progress(total):
    from tqdm import tqdm

    return tqdm(total=total, unit="lines", desc="embed")
