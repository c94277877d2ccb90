"""`python main.py tune` against a real PostgreSQL server: workers in parallel on one study,
pruning, resuming, and a password that never shows."""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest

from tests.helpers import run, tool

PASSWORD = "tune-s3cret-pw"
QUIET = {
    "DYNACONF_CALLBACKS__PROGRESS_BAR__REFRESH_RATE": "0",
    "DYNACONF_TRAINER__ACCELERATOR": "cpu",
    "DYNACONF_TRAINER__ENABLE_MODEL_SUMMARY": "false",
    "PYTHONUNBUFFERED": "1",
}


def postgres_bin() -> Path:
    """The folder of initdb and pg_ctl, installing Debian's postgresql package when missing."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        if os.geteuid() != 0:
            pytest.skip("PostgreSQL is not installed and installing it needs root")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"]
        if subprocess.run(install, env=env, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, check=True, capture_output=True)
            subprocess.run(install, env=env, check=True, capture_output=True)
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A throwaway server on 127.0.0.1, run by the postgres user, with database `optuna` owned by
    `tuner` (password authentication); the URL to it. Stopped and deleted afterwards."""
    binaries = postgres_bin()
    if os.geteuid() != 0:
        pytest.skip("starting a server as the postgres user needs root")
    owner = pwd.getpwnam("postgres")
    folder = Path(tempfile.mkdtemp(prefix="tune-postgres-"))
    os.chown(folder, owner.pw_uid, owner.pw_gid)
    data, port = folder / "data", free_port()

    def as_postgres(*args: str) -> None:
        run(["runuser", "-u", "postgres", "--", *args], cwd=folder)

    as_postgres(
        str(binaries / "initdb"), "-D", str(data), "-U", "postgres",
        "--auth-local=trust", "--auth-host=scram-sha-256",
    )  # fmt: skip
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    pg_ctl = str(binaries / "pg_ctl")
    as_postgres(pg_ctl, "-D", str(data), "-l", str(folder / "log"), "-o", options, "-w", "start")
    try:
        psql = [str(binaries / "psql"), "-h", str(folder), "-p", str(port), "-d", "postgres"]
        as_postgres(*psql, "-c", f"CREATE ROLE tuner LOGIN PASSWORD '{PASSWORD}'")
        as_postgres(*psql, "-c", "CREATE DATABASE optuna OWNER tuner")
        yield f"postgresql+psycopg://tuner:{PASSWORD}@127.0.0.1:{port}/optuna"
    finally:
        as_postgres(pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def project(render, tmp_path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(render(), copy)
    return copy


def tune(project: Path, url: str, trials: int, **env: str) -> subprocess.Popen:
    """Start one `tune` worker on the study `digits` with the storage URL in the environment."""
    return subprocess.Popen(
        [sys.executable, "main.py", "tune", "--trials", str(trials)],
        cwd=project,
        env={
            **os.environ,
            **QUIET,
            "DYNACONF_TUNE__STORAGE": url,
            "DYNACONF_TUNE__STUDY_NAME": "digits",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(worker: subprocess.Popen) -> str:
    output, _ = worker.communicate(timeout=900)
    assert worker.returncode == 0, output[-4000:]
    assert PASSWORD not in output, "the storage password was printed"
    return output


@pytest.mark.slow
def test_two_workers_share_a_study_prune_and_resume(project, postgres_url):
    # Two workers at once, each adding 4 trials of 3 epochs with the default search space.
    epochs = {"DYNACONF_TRAINER__MAX_EPOCHS": "3"}
    workers = [tune(project, postgres_url, 4, **epochs) for _ in range(2)]
    outputs = [finish(worker) for worker in workers]
    assert all("digits in postgresql+psycopg://tuner:***@127.0.0.1" in output for output in outputs)

    study = optuna.load_study(study_name="digits", storage=postgres_url)
    trials = study.trials
    assert sorted(trial.number for trial in trials) == list(range(8))
    pids = {str(worker.pid) for worker in workers}
    assert {trial.user_attrs["worker"].rpartition(":")[2] for trial in trials} == pids
    assert {trial.state.name for trial in trials} <= {"COMPLETE", "PRUNED"}
    print(f"best val/acc of 2 workers x 4 trials: {study.best_value:.4f}")
    assert study.best_value >= 0.9, f"best val/acc {study.best_value:.3f}"
    best_line = (project / "outputs/tune/best_params.txt").read_text()
    assert f"optimizer.lr={study.best_params['optimizer.lr']!r}" in best_line

    # A rerun adds to the same study; a learning rate far too small falls behind the median of the
    # finished trials at the first epoch checked, and is pruned, not failed.
    study.enqueue_trial({"optimizer.lr": 1e-7})
    rerun = finish(tune(project, postgres_url, 1, **epochs))
    assert "Trial 8 pruned" in rerun
    study = optuna.load_study(study_name="digits", storage=postgres_url)
    assert len(study.trials) == 9
    assert study.trials[8].state.name == "PRUNED"
    assert study.trials[8].params["optimizer.lr"] == 1e-7


def test_wrong_password_is_one_message_without_the_password(project, postgres_url):
    wrong = postgres_url.replace(PASSWORD, "not-the-" + PASSWORD)
    completed = run(
        [sys.executable, "main.py", "tune", "--trials", "1"],
        cwd=project,
        env={**QUIET, "DYNACONF_TUNE__STORAGE": wrong},
        check=False,
        timeout=300,
    )
    assert completed.returncode == 1
    assert "error: tune.storage postgresql+psycopg://tuner:***@127.0.0.1" in completed.stderr
    assert "password authentication failed" in completed.stderr
    assert PASSWORD not in completed.stdout + completed.stderr
    assert "Traceback" not in completed.stderr


def test_slurm_tune_script_passes_shellcheck_and_only_with_slurm(render):
    project = render(cluster="slurm")
    script = project / "scripts/tune.sbatch"
    run([tool("shellcheck"), "--severity", "style", script], cwd=project)
    assert "python main.py tune" in script.read_text()
    assert not (render() / "scripts").exists()
