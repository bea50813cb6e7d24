"""Closed runs and what maintenance moves: the aside name agrees with the deployer's, a closed run is read from its
aside checkpoint, and, for generated tables, ledgers and checkpoints, the compaction plan never takes a batch it
must leave and takes every other batch once."""
from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

import checkpoint_runs
import maintenance
from conftest import JOB_DIR
from corpus_seed import POISON_SEED

RUNS = ("run-a", "run-b", "run-c")


def test_the_aside_infix_agrees_with_the_contract():
    """checkpoint-runs.json is generated from contracts/checkpoint-runs.ts, by which new-run names the aside."""
    assert json.loads((JOB_DIR / "checkpoint-runs.json").read_text()) == {"asideInfix": checkpoint_runs.ASIDE_INFIX}


def test_closed_runs_are_read_from_the_aside_checkpoints_only(spark, tmp_path: Path):
    def make(name, run_id, commits):
        root = tmp_path / name
        (root / "commits").mkdir(parents=True)
        (root / "metadata").write_text(json.dumps({"id": run_id}) + "\n")
        for n in commits:
            (root / "commits" / str(n)).write_text("v1\n{}\n")

    make("cp", "run-live", [0, 1, 2])
    make("cp.before-20260101T000000Z", "run-a", [0, 1, 5, 3])
    make("cp.before-20260201T000000Z", "run-b", [])
    (tmp_path / "cp.before-20260301T000000Z").mkdir()  # moved aside before its run started
    make("cp2.before-20260101T000000Z", "run-other", [0])  # another checkpoint's
    make("cp.before-backup", "run-live", [0])  # a copy of the live checkpoint closes nothing
    make("cp.before-zz-stale-copy", "run-a", [0, 1])  # run-a again, knowing fewer commits: the furthest counts
    (tmp_path / "cp.before-broken").mkdir()
    (tmp_path / "cp.before-broken" / "metadata").write_text("not json\n")  # named and skipped, not fatal
    runs = checkpoint_runs.closed_runs(spark, str(tmp_path / "cp") + "/")
    assert [(r, last) for r, last, _ in runs] == [("run-a", 5), ("run-b", -1)]
    assert checkpoint_runs.closed_runs(spark, str(tmp_path / "nowhere" / "cp")) == []


@st.composite
def housekeeping_states(draw):
    """Streaming batches of a few runs, the ranges earlier compactions committed (disjoint per run), the checkpoint's
    run and last commit, and the runs new-run closed with theirs."""
    batches = draw(st.sets(st.tuples(st.sampled_from(RUNS), st.integers(0, 40)), max_size=60))
    done = []
    for run in RUNS:
        cuts = sorted(draw(st.sets(st.integers(0, 41), max_size=8)))
        done += [(run, lo, hi - 1) for lo, hi in zip(cuts[::2], cuts[1::2]) if draw(st.booleans())]
    current = draw(st.sampled_from(RUNS + (None,)))
    last_committed = draw(st.none() | st.integers(0, 40))
    closed = [(run, draw(st.integers(-1, 40)), "aside-" + run) for run in RUNS if run != current and draw(st.booleans())]
    return batches, done, current, last_committed, closed


@seed(POISON_SEED)
@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(state=housekeeping_states(), raced=st.booleans())
def test_a_compaction_moves_each_movable_batch_once_and_nothing_it_must_leave(state, raced):
    batches, done, current, last_committed, closed = state
    # What maintenance does: the closed runs' uncommitted batches go first, then the rest is planned, knowing the
    # closed runs again (one closed between the two steps still has its uncommitted batch: `raced`).
    gone = set(checkpoint_runs.uncommitted(batches, closed))
    left = batches if raced else batches - gone
    ranges = maintenance.plan_ranges(left, done, current, last_committed, {run: last for run, last, _ in closed})

    last_of = {run: last for run, last, _ in closed}
    assert all(run in last_of and batch > last_of[run] for run, batch in gone)
    movable = {(run, batch) for run, batch in left if not maintenance.covered(run, batch, done)
               and not (run == current and (last_committed is None or batch >= last_committed))
               and (run, batch) not in gone}
    for run, batch in left:
        hits = sum(1 for r, lo, hi in ranges if r == run and lo <= batch <= hi)
        assert hits == ((run, batch) in movable), (run, batch, ranges)
    for run, lo, hi in ranges:
        assert lo <= hi
        # A range never spans a committed one: the view would show the batches inside it twice.
        assert not any(r == run and lo <= d_hi and d_lo <= hi for r, d_lo, d_hi in done), (run, lo, hi, done)
        if run == current:  # the last committed batch and later ones stay: Spark may still write them
            assert last_committed is not None and hi < last_committed
        if run in last_of:  # a closed run's batches past its last commit are never compacted as committed
            assert hi <= last_of[run]
