import pytest
import torch

MY_MODULES = ("test_embed", "test_convert_conll")  # tests/cli is shared: leave other commands' tests alone


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread(request):
    """The machine's cores are shared: the fixture biLM is tiny, one thread is fastest."""
    if request.module.__name__.rsplit(".", 1)[-1] not in MY_MODULES:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
