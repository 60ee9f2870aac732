"""``mgsleep population`` shows the per-person stage's progress on a terminal only."""

import warnings

import numpy as np
import pytest

from model.cli.main import main
from model.core.errors import MgsleepError
from model.inference.diagnostics import Diagnostics
from model.population import hierarchical, person_stage
from model.population.blocks import PersonBlock

DIARY = "date,form,elemental_mg,sol_min\n2026-01-01,,,30\n2026-01-02,glycinate,200,25\n"


@pytest.fixture
def asked():
    """The ``fit`` each stand-in person fit of :func:`quick_persons` was asked for."""
    return []


@pytest.fixture
def quick_persons(monkeypatch, tmp_path, asked):
    """Two diaries; the per-person fit is a stand-in, the population stage stops at once."""
    def block(diary, priors, person=None, **settings):
        asked.append(settings["fit"])
        return PersonBlock(person or diary.source, 1, np.zeros(0, int), np.zeros(0),
                           np.zeros((0, 0)))

    def stop(*args, **kwargs):
        raise MgsleepError("stopped before the population stage")

    monkeypatch.setattr(person_stage, "person_likelihood", block)
    monkeypatch.setattr(hierarchical.PopulationModel, "sample", stop)
    for name in ("a", "b"):
        (tmp_path / f"{name}.csv").write_text(DIARY)
    return tmp_path


def test_the_serial_stage_reports_each_person_in_order(quick_persons):
    told = []
    people = hierarchical.likelihoods(
        hierarchical.read_diaries(quick_persons), None, progress=told.append)
    assert told == [1, 2]
    assert [p.person for p in people] == [str(quick_persons / "a.csv"),
                                          str(quick_persons / "b.csv")]


def test_diaries_from_data_frames_are_named_by_their_place(quick_persons):
    """``<DataFrame>`` names nobody: a warning about a person's fit must say which one."""
    import pandas as pd

    from model.data.diary import read_diary

    frame = pd.read_csv(quick_persons / "a.csv", keep_default_na=False)
    diaries = [read_diary(frame), read_diary(quick_persons / "b.csv"), read_diary(frame)]
    people = hierarchical.likelihoods(diaries, None)
    assert [p.person for p in people] == ["person 1", str(quick_persons / "b.csv"), "person 3"]


def test_a_terminal_gets_one_progress_line(quick_persons, monkeypatch, capsys):
    monkeypatch.setattr("model.cli.population.show_progress", lambda stream: True)
    assert main(["population", str(quick_persons)]) == 2
    err = capsys.readouterr().err
    assert "\rper-person stage, persons: 1/2 (50%)" in err
    assert "\rper-person stage, persons: 2/2 (100%)\x1b[K\n" in err


def test_a_pipe_gets_none(quick_persons, capsys):
    assert main(["population", str(quick_persons)]) == 2   # pytest's stderr is no terminal
    assert "per-person stage" not in capsys.readouterr().err


@pytest.mark.parametrize(("flag", "fit"), [([], "nuts"), (["--person-fit", "laplace"], "laplace")])
def test_the_command_passes_the_person_fit_on(quick_persons, asked, flag, fit):
    assert main(["population", str(quick_persons), *flag]) == 2   # the stand-in stops it
    assert asked == [fit, fit]


def test_an_unknown_person_fit_is_refused(quick_persons, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["population", str(quick_persons), "--person-fit", "exact"])
    assert stop.value.code == 2
    assert "invalid choice: 'exact'" in capsys.readouterr().err


def test_a_persons_warnings_reach_the_caller_through_dask(quick_persons, monkeypatch):
    """A warning raised in a Dask worker would reach nobody: it is raised again by the caller,
    once, naming the person (an in-process cluster, so that the stand-in fit reaches it)."""
    from dask.distributed import LocalCluster

    def warned(diary, priors, person=None, **settings):
        warnings.warn(f"{person}: the per-person fit did not pass its checks", UserWarning,
                      stacklevel=2)
        return PersonBlock(person, 1, np.zeros(0, int), np.zeros(0), np.zeros((0, 0)))

    monkeypatch.setattr(person_stage, "person_likelihood", warned)
    diaries = hierarchical.read_diaries(quick_persons)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        with pytest.warns(UserWarning) as record:
            blocks = person_stage.likelihoods(diaries, None, scheduler=cluster.scheduler_address)
    assert sorted(str(w.message) for w in record) == sorted(
        f"{d.source}: the per-person fit did not pass its checks" for d in diaries)
    assert [b.person for b in blocks] == [d.source for d in diaries]


@pytest.fixture
def failing(monkeypatch):
    """The population stage's runs (their sampler settings) with checks that fail ``fails``
    times; the stand-in persons of :func:`quick_persons` before it."""
    runs = []
    monkeypatch.setattr(hierarchical.PopulationModel, "sample",
                        lambda self, *stacked, config=None: runs.append(config))

    def checked(fails):
        verdicts = iter([False] * fails + [True] * 2)
        monkeypatch.setattr(hierarchical, "check_convergence", lambda *args: Diagnostics(
            next(verdicts), 1.05, 90.0, 0))
        return runs

    return checked


def test_a_population_stage_that_fails_its_checks_is_run_once_more_longer(quick_persons,
                                                                         failing):
    runs = failing(1)
    fit = hierarchical.PopulationModel(draws=200, tune=100, chains=2).fit(
        hierarchical.read_diaries(quick_persons))
    assert fit.diagnostics_.ok and fit.diagnostics_.attempts == 2
    assert [r.draws for r in runs] == [200, 400] and runs[1].target_accept > runs[0].target_accept


def test_no_priors_are_written_from_a_population_fit_that_failed(quick_persons, failing,
                                                                 tmp_path_factory, capsys):
    failing(2)
    tmp_path = tmp_path_factory.mktemp("outputs")
    out = tmp_path / "written"
    assert main(["population", str(quick_persons), "--write-priors", str(out),
                 "--json", str(tmp_path / "pop.json")]) == 2
    assert "did not pass its checks (max R-hat 1.050" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "pop.json").exists()


def test_a_json_among_the_diaries_is_refused_before_any_work(quick_persons, asked, capsys):
    """Every ``*.csv`` of the folder is read as a diary: the next run would fail on it."""
    assert main(["population", str(quick_persons), "--json",
                 str(quick_persons / "out.csv")]) == 2
    assert "lies in DIR_OF_DIARIES, whose every *.csv is read as a diary" in \
        capsys.readouterr().err
    assert not asked and not (quick_persons / "out.csv").exists()


def test_a_failed_population_fit_exits_1_not_converged(quick_persons, failing, tmp_path,
                                                       capsys, monkeypatch):
    """Without --write-priors a failed fit printed its table and exited 0 (a researcher's
    audit); nof1 exits 1. The diaries' own warnings (an unknown column) were not said."""
    failing(2)
    monkeypatch.setattr(hierarchical.PopulationModel, "to_json",
                        lambda self: {"persons": 2, "nights": 4})
    monkeypatch.setattr(hierarchical.PopulationModel, "effects", lambda self: _no_effects())
    monkeypatch.setattr(hierarchical.PopulationModel, "separable_", 0, raising=False)
    (quick_persons / "a.csv").write_text(DIARY.replace("sol_min\n", "sol_min,mood\n")
                                         .replace(",30\n", ",30,5\n")
                                         .replace(",25\n", ",25,\n"))   # no short row
    assert main(["population", str(quick_persons)]) == 1
    err = capsys.readouterr().err
    assert "mgsleep population: NOT CONVERGED: FAILED: R-hat 1.050" in err
    assert "unknown column 'mood'" in err and "fitting 2 diaries (4 nights)" in err


def _no_effects():
    import pandas as pd

    return pd.DataFrame(columns=["form", "outcome", "mean", "ci_low", "ci_high", "p_benefit",
                                 "between_person_sd", "persons_informative"])


def test_priors_written_from_the_same_diaries_are_said_to_count_them_twice(tmp_path):
    """A second round on priors written from the same folder moved the expectation effect on
    the same six nights, with no word (a population researcher's audit)."""
    import shutil

    from model.cli.population import counted_twice
    from model.core.paths import default_priors_dir
    from model.evidence.priorset import load_priors

    diaries = tmp_path / "diaries"
    diaries.mkdir()
    written = tmp_path / "written"
    shutil.copytree(default_priors_dir(), written)
    class_toml = written / "class.toml"
    class_toml.write_text(class_toml.read_text().replace(
        'scope = "class"', f'scope = "class"\nnotes = "Written by mgsleep population x '
        f'(2026-12-05) of the diaries in {diaries.resolve()}: 1 persons"', 1))
    [said] = counted_twice(load_priors(written), str(diaries))
    assert "their nights count twice" in said
    assert counted_twice(load_priors(written), str(tmp_path)) == []
    assert counted_twice(load_priors(), str(diaries)) == []
