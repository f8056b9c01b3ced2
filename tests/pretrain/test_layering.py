import subprocess
import sys

from .util import REPO_ROOT

TORCH_ONLY = ["model", "softmax", "batching", "checkpoint", "evaluate", "store", "vocab", "schedules", "distributed"]


def test_pytorch_modules_do_not_import_spacy():
    imports = "; ".join(f"import spacy_elmo.pretrain.{name}" for name in TORCH_ONLY)
    code = f"import sys; {imports}; bad = [m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc')]; " \
           "print(bad); sys.exit(1 if bad else 0)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
