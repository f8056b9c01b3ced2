"""One process of the 2-process DDP test (launched by torchrun from test_distributed.py).

argv: corpus file, output directory. Trains the tiny config and saves this rank's
final weights (biLM + softmax) to OUTPUT/rank{RANK}.safetensors.
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from safetensors.torch import save_file  # noqa: E402

from spacy_elmo.pretrain.distributed import shutdown_distributed  # noqa: E402
from spacy_elmo.pretrain.loop import train  # noqa: E402
from tests.pretrain.util import tiny_config  # noqa: E402


def main(corpus: str, output: str) -> None:
    config = tiny_config(Path(corpus), **{"training.max_steps": 12, "training.log_every": 4,
                                          "training.token_dropout": 0.1, "training.output_dropout": 0.1})
    config["softmax"] = {"@misc": "spacy_elmo.AdaptiveSoftmax.v1", "cutoffs": [6, 15], "div_value": 2.0}
    result = train(config, Path(output) / "run")
    tensors = {name: tensor.detach().contiguous() for name, tensor in result.model.state_dict().items()}
    save_file(tensors, str(Path(output) / f"rank{os.environ['RANK']}.safetensors"))
    shutdown_distributed()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
