"""Rate limits are shared by every worker: in the database by default, in Redis at scale."""
import shutil
import subprocess
import time

import pytest

from portal import ratelimit, settings
from portal.db import db
from portal.ratelimit import DatabaseStore, Limit, RedisStore, store
from tests.tasks.conftest import free_port


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    assert server, "make test installs redis-server"
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--save", "", "--appendonly", "no",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_database_limit_counts_across_separate_app_instances(app, database, tmp_path):
    from portal import create_app
    from tests.conftest import test_config

    limit = Limit("login-failed", 3, 60)
    for _ in range(3):
        limit.hit("ip:10.0.0.1")
    other_worker = create_app({**test_config(tmp_path), "DATABASE_URL": app.config[
        "DATABASE_URL"]})
    with other_worker.app_context():
        assert Limit("login-failed", 3, 60).exceeded("ip:10.0.0.1")
        assert not Limit("login-failed", 3, 60).exceeded("ip:10.0.0.2")


def test_old_events_fall_out_of_the_window(database):
    limit = Limit("test", 2, 1)
    limit.hit("k")
    limit.hit("k")
    assert limit.exceeded("k")
    time.sleep(1.1)
    assert not limit.exceeded("k")
    assert DatabaseStore.purge_older_than(0) == 2


def test_redis_store_when_configured(app, redis_url):
    app.config["RATELIMIT_URL"] = redis_url
    with app.app_context():
        assert isinstance(store(), RedisStore)
        limit = Limit("login-failed", 10, 60)
        for _ in range(10):
            limit.hit("email:a@example.org")
        assert limit.exceeded("email:a@example.org")
        limit.reset("email:a@example.org")
        assert not limit.exceeded("email:a@example.org")


def test_failed_logins_are_limited_through_redis(app, client, csrf_token, make_user, redis_url):
    app.config["RATELIMIT_URL"] = redis_url
    user = make_user()
    wrong = {"email": user.email, "password": "wrong password", "csrf_token": csrf_token}
    statuses = [client.post("/accounts/login", data=wrong).status_code for _ in range(11)]
    assert statuses == [422] * 10 + [429]


def test_huey_url_chooses_the_storage(monkeypatch):
    from huey import RedisHuey, SqliteHuey

    from tasks import queue

    monkeypatch.setenv("HUEY_URL", "redis://127.0.0.1:1/0")
    assert isinstance(queue._build_huey(), RedisHuey)
    monkeypatch.setenv("HUEY_URL", "sqlite:////tmp/tandem-huey-choice.db")
    built = queue._build_huey()
    assert isinstance(built, SqliteHuey)
    assert built.storage.filename == "/tmp/tandem-huey-choice.db"


def test_every_limit_reads_its_number_from_one_table(app):
    """Settings for what admins tune, config for what a deployment sets; nowhere else."""
    with app.test_request_context(), db.connection_context():
        settings.save({"boards_posts_per_minute": 7})
        assert {bucket: (rule_limit.limit, rule_limit.window) for bucket, rule_limit in
                ((b, ratelimit.limit(b)) for b in ratelimit.LIMITS)} == {
            "login-failed": (app.config["LOGIN_FAILURES_PER_MINUTE"], 60),
            "reset-request": (app.config["RESET_REQUESTS_PER_HOUR"], 3600),
            "opening-alert": (app.config["RESET_REQUESTS_PER_HOUR"], 3600),
            "board-post": (7, 60), "comment": (app.config["COMMENTS_PER_MINUTE"], 60)}
