"""Random-effects pooling reproduces R's metafor on the BCG vaccine trials (dat.bcg)."""

import numpy as np
import pytest

from model.evidence.pooling import pool

# Colditz et al. 1994 (JAMA 271:698), as metafor's dat.bcg: tpos, tneg, cpos, cneg.
BCG = np.array([
    [4, 119, 11, 128], [6, 300, 29, 274], [3, 228, 11, 209], [62, 13536, 248, 12619],
    [33, 5036, 47, 5761], [180, 1361, 372, 1079], [8, 2537, 10, 619],
    [505, 87886, 499, 87892], [29, 7470, 45, 7232], [17, 1699, 65, 1600],
    [186, 50448, 141, 27197], [5, 2493, 3, 2338], [27, 16886, 29, 17825],
], dtype=float)


def bcg_log_rr():
    """escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg)."""
    a, b, c, d = BCG.T
    yi = np.log(a / (a + b)) - np.log(c / (c + d))
    vi = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
    return yi, vi


# Reference values: metafor's own tests (tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r,
# which checks them against Stata's metan) for EE and DL; Viechtbauer (2010) J Stat Softw 36(3),
# section 3.3, rma(yi, vi, data = dat) for REML.
@pytest.mark.parametrize(("method", "estimate", "se", "tau2", "ci"), [
    ("EE", -0.4303, 0.0405, 0.0, (-0.5097, -0.3509)),
    ("DL", -0.7141, 0.1787, 0.3088, (-1.0644, -0.3638)),
    ("REML", -0.7145, 0.1798, 0.3132, (-1.0669, -0.3622)),
])
def test_matches_metafor_on_bcg(method, estimate, se, tau2, ci):
    result = pool(*bcg_log_rr(), method=method)
    # "to 3 decimals": within half a unit of the third decimal of the 4-decimal reference
    assert result.estimate == pytest.approx(estimate, abs=5e-4)
    assert result.se == pytest.approx(se, abs=5e-4)
    assert result.tau2 == pytest.approx(tau2, abs=5e-4)
    assert result.ci() == pytest.approx(ci, abs=5e-4)


def test_homogeneous_studies_give_zero_tau2_and_the_inverse_variance_mean():
    result = pool([0.2, 0.2, 0.2], [0.01, 0.04, 0.09], method="REML")
    assert result.tau2 == 0.0
    assert result.estimate == pytest.approx(0.2)
    assert result.se == pytest.approx((1 / 0.01 + 1 / 0.04 + 1 / 0.09) ** -0.5)


@pytest.mark.parametrize("bad", [([], []), ([1.0], [0.0]), ([np.nan], [1.0]), ([1, 2], [1.0])])
def test_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        pool(*bad)
