"""A saved fit is reused only for the model it was drawn from: a change of the personal graph
(a prior, a likelihood, a transform) must come with a new ``FORMAT_VERSION``, or the cache
would reweight draws of the old model as if they were the new one's."""

import os

import numpy as np
import pymc as pm

from model.inference.cache_key import graph_key, model_digest
from model.personal.graph import build_graph
from model.personal.store import FORMAT_VERSION

FORMAT_OF_MODEL = {
    "18ed67f286527f64fc547df4964a5e747603a6ab46c4eff11052796fd7d4ce17": 6,
    "65b102946c8a44ba957f6c7b489123d64d116176b148d569c42d5e8128d56eb7": 7,
    "3aac9075434da65b5207dc78b8b3f87cf684e6f5a791423fd17abfb6231a9bba": 9,
    "33b697598d08a8cab4d205d9c5709c8ec8156438d69e765c457e445ea2c86568": 10,
    "8c76d1cdc6922620ae0c7294d26dc5b5ef0ce06a8fdc4b39ba6471792777e5e5": 11,
    "a8f25a6ced15863595f2eae74b02ed3a7b39fb42de451594a5c0070aa55f8d44": 12,
    "6a6e05ee1fd7c18de2b5d204b3272887c3fb29da5d952f6dc34da5e82375eb0b": 14,
}
"""The personal graph's :func:`model_digest` for each fit format it was saved under (9 is 8's
graph with other data: the first night's magnesium begun before the diary; 10, one level
shift per measuring source; 11, 10's model, the sleep-onset intercept sampled non-centred;
12, the covariates as one ``b_covariate``, a day sleep after a night shift among them; 13,
the covariates shift GI too, ``b_gi_covariate``; 14 is 13's graph with other data, a fourth
covariate, the days before a period: the digest reads no data size, and 13's draws have three)."""


def test_the_fit_format_names_the_personal_model():
    digest = model_digest(build_graph(30, 2))
    assert FORMAT_OF_MODEL.get(digest) == FORMAT_VERSION, (
        f"the personal graph's digest is now {digest}: if the model changed, bump "
        "FORMAT_VERSION in model/personal/store.py and record the digest with it here; if "
        "only PyTensor prints the same graph differently, record it with the same version")


def test_the_digest_reads_the_model_not_the_data_sizes():
    assert model_digest(build_graph(7, 1)) == model_digest(build_graph(365, 12))


def _model_with_constant(value: np.ndarray) -> pm.Model:
    with pm.Model() as model:
        x = pm.Normal("x")
        pm.Potential("term", (x * value).sum())
    return model


def test_the_digest_ignores_the_last_bit_of_a_constant_but_not_a_change():
    """numpy's vectorised ``log1p`` differs in the last bit with AVX-512 or without (the
    negative binomial's table of ``log1p(k)``): the same model on either processor."""
    table = np.log1p(np.arange(50.0))
    ulp = np.where(table > 0, np.nextafter(table, np.inf), 0.0)   # one bit up, zero kept
    changed = table.copy()
    changed[3] *= 1 + 1e-9
    digests = [model_digest(_model_with_constant(v)) for v in (table, ulp, changed)]
    assert digests[0] == digests[1] != digests[2]
    keys = [graph_key(_model_with_constant(v)) for v in (table, ulp)]
    assert keys[0] != keys[1]            # the compiled code holds the constant bit for bit


def test_the_digest_is_the_same_without_the_processors_avx512():
    """The same digest with numpy's AVX-512 kernels turned off (where the processor has them;
    elsewhere both runs are the same run): the fit format must not depend on the machine."""
    import subprocess
    import sys

    features = "X86_V4 AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR"
    script = ("from model.inference.cache_key import model_digest\n"
              "from model.personal.graph import build_graph\n"
              "print(model_digest(build_graph(30, 2)))")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, env={**os.environ, "NPY_DISABLE_CPU_FEATURES": features})
    assert run.stdout.strip() == model_digest(build_graph(30, 2))
