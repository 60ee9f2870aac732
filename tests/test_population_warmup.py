"""The population stage's warm-up (``make install``): it runs the compiled functions."""

from model.population import warmup


def test_the_warm_up_fits_the_population_stage_and_says_so(capsys):
    assert warmup.main() == 0
    said = capsys.readouterr().err
    assert "population stage" in said and f"{warmup.WARM_DRAWS}-draw fit" in said
