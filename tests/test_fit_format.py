"""A saved fit is reused only for the model it was drawn from: a change of the personal graph
(a prior, a likelihood, a transform) must come with a new ``FORMAT_VERSION``, or the cache
would reweight draws of the old model as if they were the new one's."""

from model.inference.cache_key import model_digest
from model.personal.graph import build_graph
from model.personal.store import FORMAT_VERSION

FORMAT_OF_MODEL = {
    "e8a47bc8dbf2e747185a21aadc7b855c0a4cc202a5fd5e9c3b132bd77b84669c": 4,
}
"""The personal graph's :func:`model_digest` for each fit format it was saved under."""


def test_the_fit_format_names_the_personal_model():
    digest = model_digest(build_graph(30, 2))
    assert FORMAT_OF_MODEL.get(digest) == FORMAT_VERSION, (
        f"the personal graph's digest is now {digest}: if the model changed, bump "
        "FORMAT_VERSION in model/personal/store.py and record the digest with it here; if "
        "only PyTensor prints the same graph differently, record it with the same version")


def test_the_digest_reads_the_model_not_the_data_sizes():
    assert model_digest(build_graph(7, 1)) == model_digest(build_graph(365, 12))
