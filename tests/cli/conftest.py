import pytest

from ..elmo_helpers import one_torch_thread

SPACY_GLUE_MODULES = ("test_embed", "test_convert_conll")  # the pretraining CLI tests keep the default


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread(request):
    if request.module.__name__.rsplit(".", 1)[-1] not in SPACY_GLUE_MODULES:
        yield
        return
    with one_torch_thread():
        yield
