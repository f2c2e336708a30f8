"""Outside development, Tandem refuses to start on the local defaults (loopback BASE_URL,
console email, a key generated on this machine); `make run` is development and starts."""
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.tasks.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCAL_ONLY = ("TANDEM_ENV", "SECRET_KEY", "BASE_URL", "MAIL_URL", "DATABASE_URL", "HUEY_URL",
              "RATELIMIT_URL", "TRUSTED_PROXIES")
PRODUCTION = {"BASE_URL": "https://mentoring.example.nhs.uk",
              "MAIL_URL": "smtp://mail.example.nhs.uk:25",
              "SECRET_KEY": "a-long-random-key-set-by-the-operator"}


def environment(tmp_path, **values) -> dict:
    """This process's environment without the settings under test, on files in tmp_path."""
    env = {k: v for k, v in os.environ.items() if k not in LOCAL_ONLY}
    return {**env, "INSTANCE_DIR": str(tmp_path), "COOKIE_SECURE": "0",
            "DATABASE_URL": f"sqlite:///{tmp_path}/tandem.db",
            "HUEY_URL": f"sqlite:///{tmp_path}/huey.db", **values}


def flask_routes(env) -> subprocess.CompletedProcess:
    return subprocess.run([BIN / "flask", "--app", "wsgi", "routes"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_production_with_the_local_defaults_exits_with_the_reasons(tmp_path):
    result = flask_routes(environment(tmp_path))  # TANDEM_ENV unset means production
    assert result.returncode != 0
    assert "Tandem cannot start" in result.stderr
    assert "BASE_URL is a loopback address (http://127.0.0.1:5000)" in result.stderr
    assert "MAIL_URL is console:" in result.stderr
    assert "SECRET_KEY was generated on this machine" in result.stderr
    assert "set TANDEM_ENV=development" in result.stderr


@pytest.mark.parametrize("base_url", ["http://localhost:8000", "https://[::1]/",
                                      "http://tandem.localhost", "http://0.0.0.0:5000"])
def test_each_loopback_base_url_is_refused(tmp_path, base_url):
    result = flask_routes(environment(tmp_path, **{**PRODUCTION, "BASE_URL": base_url}))
    assert result.returncode != 0
    assert f"BASE_URL is a loopback address ({base_url})" in result.stderr
    assert "MAIL_URL" not in result.stderr and "SECRET_KEY" not in result.stderr


def test_production_with_real_settings_starts(tmp_path):
    result = flask_routes(environment(tmp_path, TANDEM_ENV="production", **PRODUCTION))
    assert result.returncode == 0, result.stderr
    assert "home.index" in result.stdout


def test_development_starts_on_the_local_defaults(tmp_path):
    result = flask_routes(environment(tmp_path, TANDEM_ENV="development"))
    assert result.returncode == 0, result.stderr


def test_gunicorn_in_production_on_the_defaults_stops_with_the_message(tmp_path):
    result = subprocess.run([BIN / "gunicorn", "-w", "1", "-b", f"127.0.0.1:{free_port()}",
                             "--no-control-socket", "wsgi:app"],
                            cwd=ROOT, env=environment(tmp_path), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "BASE_URL is a loopback address" in result.stderr


def test_the_job_consumer_in_production_on_the_defaults_stops(tmp_path):
    result = subprocess.run([BIN / "huey_consumer", "tasks.huey", "-w", "1", "-k", "thread",
                             "-m", "1"], cwd=ROOT, env=environment(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "BASE_URL is a loopback address" in result.stdout + result.stderr


def test_make_run_starts(tmp_path):
    """`make run` as a developer types it, with no TANDEM_ENV: it migrates, seeds and serves."""
    port = free_port()
    env = environment(tmp_path, BIND=f"127.0.0.1:{port}")
    log = open(tmp_path / "make-run.log", "w")  # noqa: SIM115 closed below
    process = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, status = time.monotonic() + 120, None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                                timeout=1).status
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200, (tmp_path / "make-run.log").read_text()[-3000:]
    finally:
        os.killpg(process.pid, signal.SIGINT)  # scripts/serve stops gunicorn and huey
        process.wait(timeout=30)
        log.close()
