"""Work in forked workers (:mod:`specgen.parallel`): results in order, groups kept together."""

from __future__ import annotations

import os

import pytest

from specgen import parallel
from specgen.parallel import CHUNK, fork_map


def _pid_and_square(index: int) -> tuple[int, int]:
    return os.getpid(), index * index


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_each_group_of_neighbours_is_built_by_one_worker() -> None:
    groups = [f"workflow-{i // 12}" for i in range(12 * 10)] + ["home", "glossary"]
    results = fork_map(len(groups), _pid_and_square, jobs=2, groups=groups)
    assert [square for _, square in results] == [i * i for i in range(len(groups))]
    workers: dict[str, set[int]] = {}
    for group, (pid, _) in zip(groups, results, strict=True):
        workers.setdefault(group, set()).add(pid)
    assert all(len(pids) == 1 for pids in workers.values()), workers
    assert os.getpid() not in {pid for pids in workers.values() for pid in pids}  # built by workers


def test_chunks_cover_every_item_once_and_end_between_groups() -> None:
    groups = ["a"] * 5 + ["b"] * 12 + ["c"] * 3 + ["d"] * 40 + ["e"]
    bounds = parallel._bounds(len(groups), groups)
    assert [i for start, stop in bounds for i in range(start, stop)] == list(range(len(groups)))
    for start, stop in bounds:
        assert stop - start <= 2 * CHUNK
        split_inside_a_group = stop < len(groups) and groups[stop] == groups[stop - 1]
        assert not split_inside_a_group or stop - start == 2 * CHUNK  # only a group too long for one chunk


def test_without_groups_chunks_are_even() -> None:
    assert parallel._bounds(40, None) == [(0, CHUNK), (CHUNK, 2 * CHUNK), (2 * CHUNK, 40)]
