from .allennlp import load_allennlp, read_options, save_allennlp
from .native import load_native, save_native

