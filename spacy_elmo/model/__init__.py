from .bilm import BiLMOutput, ElmoBiLM, remove_sentence_boundaries
from .chars import batch_to_ids, encode_token
from .config import ElmoConfig
from .scalar_mix import ScalarMix

