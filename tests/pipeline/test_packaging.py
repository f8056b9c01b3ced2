"""`spacy package` a trained pipeline, install the wheel in a fresh venv, load it by name."""
import json
import os
import subprocess
import sys

import numpy
import pytest

from ..elmo_helpers import ner_textcat_nlp, train_examples

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEXTS = ["Peter Blackburn flew to Brussels .", "EU rejects German call to boycott British lamb ."]

LOAD_SCRIPT = """
import json, sys
import numpy, spacy, spacy_elmo
nlp = spacy.load("en_elmo_pkg_test")
docs = list(nlp.pipe(json.loads(sys.argv[1])))
numpy.savez(sys.argv[2], *[d._.elmo.layers for d in docs], *[d.tensor for d in docs])
print(json.dumps({"ents": [[(e.start, e.end, e.label_) for e in d.ents] for d in docs],
                  "cats": [d.cats for d in docs], "spacy_elmo": spacy_elmo.__file__}))
"""


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, " ".join(map(str, command)) + "\n" + result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.mark.slow
def test_package_install_and_load(allennlp_fixture, tmp_path):
    nlp = ner_textcat_nlp(allennlp_fixture)
    examples = train_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(5):
        nlp.update(examples, sgd=optimizer)
    nlp.meta["name"], nlp.meta["version"] = "elmo_pkg_test", "0.0.1"
    nlp.to_disk(tmp_path / "pipeline")
    reloaded = __import__("spacy").load(tmp_path / "pipeline")  # the reference: a fresh load, no training cache
    expected = list(reloaded.pipe(TEXTS))

    (tmp_path / "packages").mkdir()
    run([sys.executable, "-m", "spacy", "package", str(tmp_path / "pipeline"), str(tmp_path / "packages"),
         "--build", "wheel", "--force"])
    package_dir = tmp_path / "packages" / "en_elmo_pkg_test-0.0.1"
    meta = json.loads((package_dir / "meta.json").read_text())
    assert any(r.startswith("spacy-elmo") for r in meta["requirements"]), meta["requirements"]
    wheel = next((package_dir / "dist").glob("*.whl"))

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    python = str(venv / "bin" / "python")
    run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)])
    run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", REPO])
    out = tmp_path / "vectors.npz"
    result = run([python, "-c", LOAD_SCRIPT, json.dumps(TEXTS), str(out)], cwd=str(tmp_path),
                 env={**os.environ, "OMP_NUM_THREADS": "1"})
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["spacy_elmo"].startswith(str(venv))  # the installed copy, not this checkout
    arrays = numpy.load(out)
    for i, doc in enumerate(expected):
        numpy.testing.assert_allclose(arrays[f"arr_{i}"], doc._.elmo.layers, atol=1e-6, rtol=0)
        numpy.testing.assert_allclose(arrays[f"arr_{i + len(TEXTS)}"], doc.tensor, atol=1e-6, rtol=0)
        assert [tuple(e) for e in loaded["ents"][i]] == [(e.start, e.end, e.label_) for e in doc.ents]
        assert loaded["cats"][i] == pytest.approx(doc.cats, abs=1e-6)
