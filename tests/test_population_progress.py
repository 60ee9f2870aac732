"""``mgsleep population`` progress: one line rewritten on a terminal, nothing on a pipe."""

import io
import os

import numpy as np

from model.cli.population import terminal_progress
from model.population import hierarchical
from model.population.blocks import PersonBlock


def test_progress_rewrites_one_line_on_a_terminal():
    master, slave = os.openpty()
    with os.fdopen(slave, "w") as tty:
        show = terminal_progress("per-person stage, persons", tty)
        assert show is not None
        for done in (1, 2, 3):
            show(done, 3)
    text = os.read(master, 1000).decode()
    os.close(master)
    assert text.replace("\r\n", "\n") == ("\rper-person stage, persons: 1/3"
                                          "\rper-person stage, persons: 2/3"
                                          "\rper-person stage, persons: 3/3\n")


def test_no_progress_on_a_pipe():
    assert terminal_progress("x", io.StringIO()) is None
    read, write = os.pipe()
    with os.fdopen(write, "w") as pipe:
        assert terminal_progress("x", pipe) is None
    os.close(read)


def test_the_serial_stage_reports_each_person(monkeypatch):
    def block(diary, priors):
        return PersonBlock(diary, 1, np.zeros(0, int), np.zeros(0), np.zeros((0, 0)))

    monkeypatch.setattr(hierarchical, "person_likelihood", block)
    told = []
    people = hierarchical.likelihoods(["a", "b", "c"], None,
                                      progress=lambda *a: told.append(a))
    assert told == [(1, 3), (2, 3), (3, 3)]
    assert [p.person for p in people] == ["a", "b", "c"]
