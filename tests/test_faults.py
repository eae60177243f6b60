"""Fault injection on small sweeps: every fault ends with no run lost and none duplicated.

Each test injects one fault (a kill of the sweep's process or of a worker, SIGTERM, a damaged
or foreign shard, a second writer, drifted defaults, a full disk, a read-only folder, Dask
losing every worker), checks how the sweep reacts, then resumes and counts the runs lost and
duplicated against an uninterrupted sweep, whose tables the result must equal exactly.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import experiments
from experiments import folder, storage
from experiments.spec import Design, SweepSpec
from experiments.sweep import SweepInterrupted, run_sweep

ROOT = Path(__file__).resolve().parent.parent
SPEC = SweepSpec(
    name="faults",
    scenario="cssi",
    seed=4242,
    replicates=4,
    steps=100,
    record_every=10,
    design=Design.grid(pooling_intensity=[0.0, 0.3, 0.6, 0.9], identity_strength=[0.2, 0.5, 0.8]),
)
TOTAL = SPEC.n_runs  # 48
RESULTS: dict[str, tuple[int, int]] = {}
"""Fault -> (runs lost, runs duplicated), printed at the end of the suite."""


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "out"
    run_sweep(SPEC, out, executor="serial", progress=False)
    return out


@pytest.fixture(scope="module", autouse=True)
def print_table():
    yield
    if RESULTS:
        lines = ["", "fault | runs lost | runs duplicated"]
        lines += [f"{name} | {lost} | {dup}" for name, (lost, dup) in RESULTS.items()]
        print("\n".join(lines))


def lost_and_duplicated(out: Path, reference: Path, fault: str) -> None:
    """Count runs lost and duplicated; both must be 0 and the tables equal the reference."""
    summary, tidy = experiments.load_summary(out), experiments.load(out)
    unique = summary["run_id"].nunique()
    lost = TOTAL - unique
    duplicated = (len(summary) - unique) + int(tidy.duplicated(["run_id", "step"]).sum())
    RESULTS[fault] = (lost, duplicated)
    assert (lost, duplicated) == (0, 0)
    pd.testing.assert_frame_equal(tidy, experiments.load(reference))
    pd.testing.assert_frame_equal(summary, experiments.load_summary(reference))


def write_spec(tmp_path: Path) -> Path:
    path = tmp_path / "faults.toml"
    path.write_text(SPEC.to_toml())
    return path


def sweep_command(spec: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "experiments.cli",
        "sweep",
        str(spec),
        "--out",
        str(out),
        "--workers",
        "2",
        "--chunk-size",
        "1",
        "--no-progress",
        *extra,
    ]


def start(spec: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        sweep_command(spec, out, *extra),
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_shards(proc: subprocess.Popen, out: Path, n: int) -> None:
    deadline = time.monotonic() + 120
    shards = out / "shards"
    while not (shards.is_dir() and len(list(shards.glob("*.parquet"))) >= n):
        assert proc.poll() is None, f"the sweep ended too early: {proc.stderr.read()}"
        assert time.monotonic() < deadline, "no shard appeared"
        time.sleep(0.005)


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid``."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def descendants(pid: int) -> list[int]:
    """Children, grandchildren, ... of ``pid`` (pool workers are forked by a pool server)."""
    out, todo = [], [pid]
    while todo:
        found = children(todo.pop())
        out += found
        todo += found
    return out


def pool_workers(pid: int) -> list[int]:
    """The pool workers under a sweep's process (not the pool server or resource tracker)."""
    marks = ("forkserver import main", "resource_tracker import main")
    helpers = [p for p in children(pid) if any(m in cmdline(p) for m in marks)]
    return [p for p in descendants(pid) if p not in helpers]


def cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def running(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def assert_all_end(pids: list[int], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while any(running(p) for p in pids):
        assert time.monotonic() < deadline, f"orphans still running: {pids}"
        time.sleep(0.05)


def resume_in_process(out: Path) -> experiments.SweepReport:
    return run_sweep(SPEC, out, executor="serial", progress=False)


needs_linux = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


# --- kills and signals -----------------------------------------------------------------------


@needs_linux
@pytest.mark.parametrize("seed", [1])
def test_kill_9_of_the_main_process_at_a_random_point(tmp_path, reference, seed):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    proc = start(spec, out)
    wait_for_shards(proc, out, int(np.random.default_rng(seed).integers(1, TOTAL // 3)))
    workers = descendants(proc.pid)
    assert pool_workers(proc.pid), "the pool should have started"
    os.kill(proc.pid, signal.SIGKILL)  # the main process only: its workers must follow it
    proc.wait(timeout=30)
    assert_all_end(workers)
    status = experiments.sweep_status(out)
    assert status["status"] == "stopped without an end time (killed)"
    assert 0 < status["finished"] < TOTAL
    report = resume_in_process(out)
    assert (report.skipped + report.computed, report.unfinished) == (TOTAL, 0)
    calls = storage.read_manifest(out)["history"]
    assert [c["outcome"] for c in calls] == ["killed", "complete"]
    lost_and_duplicated(out, reference, f"kill -9 of the main process (seed {seed})")


@needs_linux
def test_kill_9_of_a_worker_restarts_the_pool_and_the_sweep_completes(tmp_path, reference):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    proc = start(spec, out)
    wait_for_shards(proc, out, 3)
    workers = pool_workers(proc.pid)
    assert workers
    os.kill(workers[0], signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=180)
    assert proc.returncode == 0, stderr
    assert "restarting the pool" in stderr
    (call,) = storage.read_manifest(out)["history"]
    assert call["restarts"] >= 1
    assert call["computed"] == TOTAL  # counted from the shards, not from the lost tasks
    assert f"{TOTAL} run now" in stdout
    lost_and_duplicated(out, reference, "kill -9 of a pool worker")


@needs_linux
def test_sigterm_stops_like_ctrl_c_and_records_the_end(tmp_path, reference):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    proc = start(spec, out)
    wait_for_shards(proc, out, 3)
    workers = descendants(proc.pid)
    os.kill(proc.pid, signal.SIGTERM)  # what timeout, docker stop and SLURM send
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 143, stderr
    assert "run the same command again to resume" in stderr
    assert_all_end(workers)
    manifest = storage.read_manifest(out)
    (call,) = manifest["history"]
    assert (manifest["status"], call["outcome"], call["reason"]) == (
        "interrupted",
        "interrupted",
        "SIGTERM",
    )
    assert call["finished"] is not None
    assert not (out / storage.LOCK_FILE).exists()
    assert not list(out.rglob("*.tmp"))
    resume_in_process(out)
    lost_and_duplicated(out, reference, "SIGTERM of the main process")


# --- damaged, renamed, foreign and stray shards ------------------------------------------------


def flip_a_data_byte(path: Path) -> None:
    """Flip one byte of the column chunks that changes the data, not only a page's statistics.

    A byte of a page header's min/max statistics can be flipped without damaging a single
    value (and a check of the data rightly passes it), so walk from a quarter of the file
    until a flip changes what a plain reader decodes, or makes it fail.
    """
    import pyarrow.parquet as pq

    original = pq.read_table(path)
    data = bytearray(path.read_bytes())
    for pos in range(len(data) // 4, len(data) // 2):
        data[pos] ^= 0xFF
        path.write_bytes(bytes(data))
        try:
            damaged = not pq.read_table(path).equals(original)
        except Exception:
            damaged = True
        if damaged:
            return
        data[pos] ^= 0xFF
    raise AssertionError(f"no byte of {path} changes its data")


def test_a_damaged_data_page_is_found_quarantined_and_rerun(tmp_path, reference):
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    flip_a_data_byte(storage.shard_path(out, "p0005-r02"))
    storage.shard_path(out, "p0007-r01").write_bytes(b"")  # a zero-byte shard
    status = experiments.sweep_status(out)
    assert sorted(u["file"] for u in status["unreadable"]) == [
        "shards/p0005-r02.parquet",
        "shards/p0007-r01.parquet",
    ]
    assert (status["finished"], status["remaining"]) == (TOTAL - 2, 2)
    with pytest.warns(RuntimeWarning, match="left out of the tables") as caught:
        assert len(experiments.load_summary(out)) == TOTAL - 2  # left out, with a warning
    assert sorted(Path(str(w.message).split(": ")[1]).name for w in caught) == [
        "p0005-r02.parquet",
        "p0007-r01.parquet",
    ]
    report = resume_in_process(out)
    assert (report.skipped, report.computed) == (TOTAL - 2, 2)
    assert sorted(p.name for p in (out / "quarantine").glob("*.parquet")) == [
        "p0005-r02.parquet",
        "p0007-r01.parquet",
    ]
    reasons = [json.loads(line) for line in (out / "quarantine" / "reasons.jsonl").open()]
    assert all(r["reason"].startswith("unreadable") for r in reasons)
    lost_and_duplicated(out, reference, "a damaged data page and a zero-byte shard")


def test_renamed_foreign_and_stray_shards_are_named_and_quarantined(tmp_path, reference):
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    shards = out / "shards"
    shutil.copy(shards / "p0001-r00.parquet", shards / "p0002-r01.parquet")  # renamed
    other = SweepSpec(**{**SPEC.__dict__, "seed": 1, "steps": 20, "quick": None})
    run_sweep(other, tmp_path / "other", executor="serial", progress=False)
    shutil.copy(tmp_path / "other" / "shards" / "p0003-r03.parquet", shards)  # foreign
    shutil.copy(shards / "p0000-r00.parquet", shards / "p9999-r99.parquet")  # stray
    status = experiments.sweep_status(out)
    assert (status["finished"], status["total"], status["remaining"]) == (TOTAL - 2, TOTAL, 2)
    foreign = {f["file"]: f["reason"] for f in status["foreign"]}
    assert set(foreign) == {
        "shards/p0002-r01.parquet",
        "shards/p0003-r03.parquet",
        "shards/p9999-r99.parquet",
    }
    assert "holds run 'p0001-r00'" in foreign["shards/p0002-r01.parquet"]
    assert "seed_entropy = 1" in foreign["shards/p0003-r03.parquet"]
    report = resume_in_process(out)
    assert report.computed == 2
    assert len(report.quarantined) == 3
    assert len(list((out / "quarantine").glob("*.parquet"))) == 3
    lost_and_duplicated(out, reference, "renamed, foreign and stray shards")


def test_a_truncated_derived_table_is_rebuilt_from_the_shards(tmp_path, reference):
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    tidy = out / storage.TIDY_FILE
    tidy.write_bytes(tidy.read_bytes()[:500])
    assert not experiments.sweep_status(out)["consolidated"]
    assert resume_in_process(out).computed == 0
    assert experiments.sweep_status(out)["consolidated"]
    lost_and_duplicated(out, reference, "a truncated runs.parquet")


# --- one writer per folder ---------------------------------------------------------------------


@needs_linux
def test_a_second_writer_is_refused_while_the_first_runs(tmp_path, reference):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    first = start(spec, out)
    second = start(spec, out)  # the same command at the same time
    outputs = [p.communicate(timeout=180) for p in (first, second)]
    codes = sorted(p.returncode for p in (first, second))
    assert codes == [0, 1], outputs
    refused = next(
        err for (_, err), p in zip(outputs, (first, second), strict=True) if p.returncode == 1
    )
    assert "is being written by process" in refused
    assert len(refused.strip().splitlines()) == 1
    calls = storage.read_manifest(out)["history"]
    assert sum(c["computed"] for c in calls) == TOTAL  # nothing computed twice
    lost_and_duplicated(out, reference, "two writers at once")


def test_a_stale_lock_is_taken_over_with_a_message(tmp_path, reference):
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    holder = {"pid": int(dead.stdout), "host": os.uname().nodename, "started": "earlier"}
    (out / storage.LOCK_FILE).write_text(json.dumps(holder))
    report = resume_in_process(out)
    assert any("took over the stale lock of process" in p for p in report.problems)
    assert not (out / storage.LOCK_FILE).exists()
    lost_and_duplicated(out, reference, "a stale lock")


def test_a_kill_during_creation_leaves_a_folder_the_same_command_resumes(
    tmp_path, reference, monkeypatch
):
    out = tmp_path / "out"

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # stands in for a kill between two steps of creation

    monkeypatch.setattr(folder, "write_manifest", killed)
    with pytest.raises(KeyboardInterrupt):
        resume_in_process(out)
    assert not out.exists()
    assert not list(tmp_path.glob(".out.new-*"))
    monkeypatch.undo()
    (out / "shards").mkdir(parents=True)  # what an older, interrupted creation left
    resume_in_process(out)
    lost_and_duplicated(out, reference, "a kill while creating the folder")


# --- drift -----------------------------------------------------------------------------------


def test_drifted_defaults_are_refused_with_a_diff_unless_allowed(tmp_path, reference, monkeypatch):
    from simulation import model

    out = tmp_path / "out"
    shutil.copytree(reference, out)
    for shard in sorted((out / "shards").glob("*.parquet"))[TOTAL // 2 :]:
        shard.unlink()  # half done when the code changed
    defaults = model.default_parameters()
    changed = dict(defaults, homophily=defaults["homophily"] / 2)
    monkeypatch.setattr(model, "default_parameters", lambda: dict(changed))
    with pytest.raises(folder.PlanDrift) as info:
        resume_in_process(out)
    assert f"default homophily {defaults['homophily']!r} -> {changed['homophily']!r}" in str(
        info.value
    )
    assert "--allow-drift" in str(info.value)
    monkeypatch.setattr(model, "default_parameters", lambda: dict(defaults))
    report = resume_in_process(out)  # back to the original code: resumes as before
    assert report.computed == TOTAL - TOTAL // 2
    lost_and_duplicated(out, reference, "drifted model defaults")
    monkeypatch.setattr(model, "default_parameters", lambda: dict(changed))
    run_sweep(SPEC, out, executor="serial", progress=False, allow_drift=True)
    (drift,) = storage.read_manifest(out)["drift"]
    assert any(c.startswith("default homophily") for c in drift["changes"])


# --- a full disk and a read-only folder --------------------------------------------------------


def _can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
    )
    return probe.returncode == 0


NO_MOUNT = "cannot mount a tmpfs here (unshare -rm with a private mount namespace is refused)"


@pytest.mark.skipif(not _can_unshare(), reason=NO_MOUNT)
def test_a_full_disk_stops_at_once_with_one_line_and_no_temporary_file(tmp_path, reference):
    spec = write_spec(tmp_path)
    shard = storage.shard_path(reference, "p0000-r00").stat().st_size
    size_kb = (200_000 + 20 * shard) // 1024  # room for the folder and about 20 shards
    mnt, copy = tmp_path / "small", tmp_path / "copy"
    mnt.mkdir()
    command = " ".join(sweep_command(spec, mnt / "out", "--executor", "serial"))
    script = (
        f"mount -t tmpfs -o size={size_kb}k tmpfs {mnt} && cd {ROOT} && "
        f"{command}; echo $? > {tmp_path}/rc; cp -a {mnt}/out {copy}"
    )
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=180
    )
    assert (tmp_path / "rc").read_text().strip() == "1", result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("isohybrid sweep: error: disk full: no space left in ")
    assert str(mnt / "out") in lines[0]
    assert "runs left need about" in lines[0]
    manifest = storage.read_manifest(copy)
    assert manifest["status"] == "interrupted"
    assert manifest["history"][-1]["reason"].startswith("disk full")
    assert not list(copy.rglob("*.tmp"))
    assert 0 < len(storage.finished_runs(copy, repair=False)) < TOTAL
    resume_in_process(copy)  # on a disk with room
    lost_and_duplicated(copy, reference, "a full disk (ENOSPC)")


@pytest.mark.skipif(not _can_unshare(), reason=NO_MOUNT)
def test_a_read_only_copy_with_stale_tables_loads_in_memory(tmp_path, reference):
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    storage.shard_path(out, "p0000-r00").touch()  # the tables are now stale
    code = (
        "import experiments, sys; "
        f"print(len(experiments.load('{out}')), len(experiments.load_summary('{out}'))); "
        f"from experiments.cli import main; sys.exit(main(['sweep', '{write_spec(tmp_path)}', "
        f"'--out', '{out}', '--no-progress']))"
    )
    script = (
        f"mount --bind {out} {out} && mount -o remount,bind,ro {out} && cd {ROOT} && "
        f'{sys.executable} -c "{code}"'
    )
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=120
    )
    rows = len(experiments.load(reference))
    assert result.stdout.split() == [str(rows), str(TOTAL)], result.stderr
    assert result.returncode == 1
    assert "is read-only" in result.stderr.strip().splitlines()[-1]
    RESULTS["a read-only folder with stale tables"] = (0, 0)


# --- Dask without workers ------------------------------------------------------------------------


def test_dask_without_workers_stops_after_the_timeout_and_resumes(tmp_path, reference):
    from dask.distributed import LocalCluster

    out = tmp_path / "out"
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:

        def lose_workers() -> None:
            deadline = time.monotonic() + 60
            while len(list((out / "shards").glob("*.parquet"))) < 2:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.01)
            cluster.scale(0)  # a cluster job reached its walltime

        thread = threading.Thread(target=lose_workers)
        thread.start()
        with pytest.raises(SweepInterrupted) as info:
            run_sweep(
                SPEC,
                out,
                scheduler=cluster.scheduler_address,
                chunk_size=1,
                no_worker_timeout=1.0,
                progress=False,
            )
        thread.join()
    report = info.value.report
    assert "no Dask worker for 1 s" in report.stop_reason
    assert 0 < report.total - report.unfinished < TOTAL
    assert storage.read_manifest(out)["status"] == "interrupted"
    resume_in_process(out)
    lost_and_duplicated(out, reference, "Dask loses every worker")


# --- the dashboard's server ----------------------------------------------------------------

LAUNCHER = """
import sys
from experiments import dashboard
dashboard.server_command = lambda host, port: [
    sys.executable, "-c", "import time; print('serving', flush=True); time.sleep(600)"
]
sys.exit(dashboard.serve())
"""


@needs_linux
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_the_dashboard_server_stops_with_its_launcher(sig):
    launcher = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert launcher.stdout.readline().strip() == "serving"
    (server,) = children(launcher.pid)
    os.kill(launcher.pid, sig)
    assert launcher.wait(timeout=30) == (143 if sig == signal.SIGTERM else -signal.SIGKILL)
    assert_all_end([server])
    RESULTS[f"dashboard launcher gets {signal.Signals(sig).name}"] = (0, 0)
