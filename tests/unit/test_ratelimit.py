"""Rate limits are shared by every worker: in the database by default, in Redis at scale
(plain, or over TLS as managed Redis services require)."""
import shutil
import subprocess
import time

import pytest
import redis
from huey import RedisHuey, SqliteHuey

from portal import ratelimit, settings
from portal.config import ConfigurationError
from portal.db import db
from portal.ratelimit import DatabaseStore, Limit, RedisStore, store
from tasks import queue
from tests.tasks.conftest import free_port


def _start_redis(tmp_path, url: str, *args: str):
    server = shutil.which("redis-server")
    assert server, "make test installs redis-server"
    process = subprocess.Popen([server, *args, "--save", "", "--appendonly", "no",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    # Bounded by time, not by tries: on a busy machine (parallel workers) a TLS server can
    # take well over the few seconds 100 quick tries last.
    deadline = time.monotonic() + 30
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
    return process


@pytest.fixture
def redis_url(tmp_path):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    process = _start_redis(tmp_path, url, "--port", str(port))
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def rediss_url(tmp_path):
    """redis-server listening only with TLS, on a self-signed certificate made here; the
    URL trusts that certificate and nothing else."""
    cert, key = tmp_path / "redis.crt", tmp_path / "redis.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    port = free_port()
    url = f"rediss://127.0.0.1:{port}/0?ssl_ca_certs={cert}"
    process = _start_redis(tmp_path, url, "--port", "0", "--tls-port", str(port),
                           "--tls-cert-file", str(cert), "--tls-key-file", str(key),
                           "--tls-ca-cert-file", str(cert), "--tls-auth-clients", "no")
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


def test_huey_url_chooses_the_storage(tmp_path):
    assert isinstance(queue.build_huey("redis://127.0.0.1:1/0"), RedisHuey)
    # An absolute path (four slashes), in this test's own directory: not one file in /tmp
    # that parallel workers or runs would share.
    built = queue.build_huey(f"sqlite:///{tmp_path}/huey-choice.db")
    assert isinstance(built, SqliteHuey)
    assert built.storage.filename == f"{tmp_path}/huey-choice.db"


@pytest.mark.parametrize("url", ["/srv/tandem/huey.db", "redis:/127.0.0.1/0",
                                 "memcached://127.0.0.1/0", "sqlite://relative.db"])
def test_an_unknown_huey_url_is_refused_not_taken_as_a_file(url):
    with pytest.raises(ConfigurationError, match="HUEY_URL must start with"):
        queue.build_huey(url)


def test_huey_runs_jobs_through_redis_over_tls(rediss_url):
    built = queue.build_huey(rediss_url)
    pool = built.storage.conn.connection_pool
    assert pool.connection_class is redis.SSLConnection
    built.storage.flush_all()
    built.storage.enqueue(b"job")
    assert built.storage.queue_size() == 1
    assert built.storage.dequeue() == b"job"


def test_failed_logins_are_limited_through_redis_over_tls(app, client, csrf_token, make_user,
                                                          rediss_url):
    app.config["RATELIMIT_URL"] = rediss_url
    user = make_user()
    wrong = {"email": user.email, "password": "wrong password", "csrf_token": csrf_token}
    statuses = [client.post("/accounts/login", data=wrong).status_code for _ in range(11)]
    assert statuses == [422] * 10 + [429]
    with app.app_context():
        limits = store()
        assert isinstance(limits, RedisStore)
        assert limits.client.connection_pool.connection_class is redis.SSLConnection
        assert limits.client.zcard(f"tandem:rl:login-failed:email:{user.email}") == 10


def test_plain_redis_cannot_read_the_tls_server(rediss_url):
    """The TLS server really is TLS-only: the same address over redis:// fails."""
    plain = rediss_url.replace("rediss://", "redis://").split("?")[0]
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(plain, socket_timeout=2).ping()


@pytest.mark.parametrize("url", ["redis:/127.0.0.1", "memcached://127.0.0.1", "/tmp/x.db"])
def test_an_unknown_ratelimit_url_stops_the_app(tmp_path, url):
    from portal import create_app
    from tests.conftest import test_config

    with pytest.raises(ConfigurationError, match="RATELIMIT_URL must be"):
        create_app({**test_config(tmp_path), "RATELIMIT_URL": url})
def test_every_limit_reads_its_number_from_one_table(app):
    """Settings for what admins tune, config for what a deployment sets; nowhere else."""
    with app.test_request_context(), db.connection_context():
        settings.save({"boards_posts_per_minute": 7})
        assert {bucket: (rule_limit.limit, rule_limit.window) for bucket, rule_limit in
                ((b, ratelimit.limit(b)) for b in ratelimit.LIMITS)} == {
            "login-failed": (app.config["LOGIN_FAILURES_PER_MINUTE"], 60),
            "reset-request": (app.config["RESET_REQUESTS_PER_HOUR"], 3600),
            "opening-alert": (app.config["RESET_REQUESTS_PER_HOUR"], 3600),
            "board-post": (7, 60), "comment": (app.config["COMMENTS_PER_MINUTE"], 60),
            "two-factor-failed": (app.config["TWO_FACTOR_FAILURES_PER_15_MINUTES"], 900),
            "data-export": (app.config["DATA_EXPORTS_PER_DAY"], 86400)}
