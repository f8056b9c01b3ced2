"""Speed of the elmo component beside a stock spaCy CNN ner pipeline, in the same run.

Prints a markdown table:
- inference: nlp.pipe words/s on CoNLL-2003 dev text (eng.testa), elmo+ner vs tok2vec(CNN)+ner;
- training: words/s per epoch on the first --train-sents sentences of eng.train, epoch 1 vs later
  epochs (the frozen biLM's feature cache makes later epochs skip the biLM), and the stock CNN
  epochs for comparison; the ratio of elmo epochs >= 2 to the mean CNN epoch.

    python benchmarks/pipeline_speed.py --shared ../shared            # the tiny AllenNLP fixture biLM
    python benchmarks/pipeline_speed.py --options opts.json --weights w.hdf5   # any published weights

Threads: --threads (default 1) for torch and BLAS, set before they are imported.
"""
import argparse
import os
import sys
import time
from pathlib import Path


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared")
    parser.add_argument("--options", type=Path, help="options.json (default: the allennlp_elmo fixture)")
    parser.add_argument("--weights", type=Path, help="weights.hdf5 (default: the allennlp_elmo fixture)")
    parser.add_argument("--random", choices=["small", "medium", "original"],
                        help="instead of weights: a randomly initialised biLM of the published ELMo sizes "
                             "(speed only; the ner scores mean nothing)")
    parser.add_argument("--train-sents", type=int, default=2000)
    parser.add_argument("--dev-docs", type=int, default=200, help="CoNLL dev docs (10 sentences each) for nlp.pipe")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--config", type=Path, default=Path(__file__).resolve().parent.parent / "configs" / "ner_elmo_cpu.cfg")
    return parser.parse_args()


ARGS = parse_args()
for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[variable] = str(ARGS.threads)

import spacy  # noqa: E402
import torch  # noqa: E402
from spacy.cli.init_config import init_config  # noqa: E402
from spacy.tokens import Doc  # noqa: E402
from spacy.training import Example  # noqa: E402
from spacy.util import load_config, load_model_from_config, minibatch  # noqa: E402

from spacy_elmo.data.conll import conll_to_docs  # noqa: E402
from spacy_elmo.layers.elmo_model import get_state  # noqa: E402


def examples_from(path, vocab, n_sents, n_per_doc):
    examples, total = [], 0
    for reference in conll_to_docs(path, vocab, n_sents=n_per_doc):
        words = [t.text for t in reference]
        examples.append(Example(Doc(vocab, words=words, spaces=[bool(t.whitespace_) for t in reference]),
                                reference))
        total += sum(1 for _ in reference.sents)
        if total >= n_sents:
            break
    return examples


# The published model sizes (char CNN filters, highway layers, LSTM cell / projection).
SIZES = {
    "small": dict(n_highway=1, cell_dim=1024, projection_dim=128),
    "medium": dict(n_highway=1, cell_dim=2048, projection_dim=256),
    "original": dict(n_highway=2, cell_dim=4096, projection_dim=512),
}


def elmo_pipeline(options, weights):
    overrides = {"paths.elmo_options": str(options), "paths.elmo_weights": str(weights)}
    config = load_config(ARGS.config, overrides=overrides, interpolate=False)
    if ARGS.random:
        from spacy_elmo import ElmoBiLM, ElmoConfig

        native = Path(os.environ.get("TMPDIR", "/tmp")) / f"spacy_elmo_random_{ARGS.random}"
        torch.manual_seed(0)
        ElmoBiLM(config=ElmoConfig(**SIZES[ARGS.random])).to_disk(native)
        config["components"]["elmo"]["weights"] = str(native)
        config["initialize"]["components"]["elmo"] = {}
    return load_model_from_config(config, auto_fill=True)


def cnn_pipeline():
    config = init_config(lang="en", pipeline=["ner"], optimize="efficiency", gpu=False, silent=True)
    return load_model_from_config(config, auto_fill=True)


def train_epochs(nlp, examples):
    optimizer = nlp.initialize(lambda: examples)
    batches = list(minibatch(examples, size=16))  # ~10 sentences per doc: ~2,000 words per batch
    n_words = sum(len(eg.reference) for eg in examples)
    speeds = []
    for _ in range(ARGS.epochs):
        start = time.perf_counter()
        for batch in batches:
            nlp.update(batch, sgd=optimizer, drop=0.1)
        speeds.append(n_words / (time.perf_counter() - start))
    return speeds


def pipe_speed(nlp, texts):
    list(nlp.pipe(texts[:5]))
    n_words = 0
    start = time.perf_counter()
    for doc in nlp.pipe(texts, batch_size=64):
        n_words += len(doc)
    return n_words / (time.perf_counter() - start)


def main():
    torch.set_num_threads(ARGS.threads)
    fixture = ARGS.shared / "fixtures" / "allennlp_elmo"
    options = ARGS.options or fixture / "options.json"
    weights = ARGS.weights or fixture / "lm_weights.hdf5"
    conll = ARGS.shared / "data" / "conll2003"
    elmo_nlp, cnn_nlp = elmo_pipeline(options, weights), cnn_pipeline()
    train = examples_from(conll / "eng.train", elmo_nlp.vocab, ARGS.train_sents, 10)
    train_cnn = examples_from(conll / "eng.train", cnn_nlp.vocab, ARGS.train_sents, 10)
    dev_texts = [eg.reference.text for eg in examples_from(conll / "eng.testa", elmo_nlp.vocab, 10 * ARGS.dev_docs, 10)]
    n_train_words = sum(len(eg.reference) for eg in train)

    elmo_train = train_epochs(elmo_nlp, train)
    cnn_train = train_epochs(cnn_nlp, train_cnn)
    state = get_state(elmo_nlp.get_pipe("elmo").model)
    cache_mib, cache_hits = state.cache.n_bytes / 2**20, state.cache.hits
    state.cache.clear_memory()  # dev text must not come from the training cache
    state.cache_active = False
    elmo_pipe = pipe_speed(elmo_nlp, dev_texts)
    cnn_pipe = pipe_speed(cnn_nlp, dev_texts)

    bilm = elmo_nlp.get_pipe("elmo").bilm
    print(f"biLM: {'random ' + ARGS.random + ' size' if ARGS.random else weights} ({bilm.n_layers} layers x {bilm.output_dim}, "
          f"{sum(p.numel() for p in bilm.parameters()):,} parameters); torch {torch.__version__}, "
          f"spaCy {spacy.__version__}, {ARGS.threads} thread(s), {os.cpu_count()} CPU(s)")
    print(f"training: {n_train_words:,} words ({len(train)} docs), {ARGS.epochs} epochs; nlp.pipe: "
          f"{sum(len(t.split()) for t in dev_texts):,} words of eng.testa; feature cache {cache_mib:.1f} MiB "
          f"after training, {cache_hits:,} hits")
    print()
    print("| pipeline | nlp.pipe words/s | train epoch 1 words/s | train epochs 2+ words/s (mean) |")
    print("|---|---:|---:|---:|")
    later = lambda speeds: sum(speeds[1:]) / max(1, len(speeds) - 1)  # noqa: E731
    print(f"| elmo (frozen) + ner | {elmo_pipe:,.0f} | {elmo_train[0]:,.0f} | {later(elmo_train):,.0f} |")
    print(f"| stock CNN tok2vec + ner | {cnn_pipe:,.0f} | {cnn_train[0]:,.0f} | {later(cnn_train):,.0f} |")
    mean_cnn = sum(cnn_train) / len(cnn_train)
    ratio = mean_cnn / later(elmo_train)
    print()
    print(f"time of an elmo epoch after the first / a stock CNN epoch: {ratio:.2f}x (target <= 1.5x); "
          f"epoch 1 / later elmo epochs: {later(elmo_train) / elmo_train[0]:.2f}x faster after the first")


if __name__ == "__main__":
    sys.exit(main())
