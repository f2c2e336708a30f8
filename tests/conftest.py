"""Shared fixtures: a real database per test (a SQLite file, or the PostgreSQL server named
by DATABASE_URL), the app, a client with CSRF left on, and factories.

Under pytest-xdist (`-n 2`) each worker process is isolated from the others: its own
PostgreSQL database (`<name>_gw0`, ... made on DATABASE_URL's server, and exported as
DATABASE_URL so servers started in a subprocess use it too), its own huey queue file, and
ports chosen free by each server fixture."""
import datetime as dt
import gc
import os
import re
import shutil
import tempfile
from urllib.parse import urlsplit, urlunsplit

import pytest
from itsdangerous import URLSafeTimedSerializer

# The xdist worker this process is ("gw0", "gw1", ...), or "" in a run without workers.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")

# Each process gets its own huey file: the consumer tests flush it, so neither separate runs
# nor the workers of one run may share one. A worker inherits the environment of the
# process that started it, where this file has already run: a queue made here is replaced
# in each process, and only a HUEY_URL set from outside is kept.
if os.environ.get("HUEY_URL", "") in ("", os.environ.get("TANDEM_TEST_HUEY_URL")):
    os.environ["HUEY_URL"] = os.environ["TANDEM_TEST_HUEY_URL"] = (
        f"sqlite:///{tempfile.mkdtemp(prefix='tandem-huey-')}/huey.db")
# Tests run on the local defaults (loopback BASE_URL, console email), which a production
# start refuses; servers started in a subprocess inherit this.
os.environ.setdefault("TANDEM_ENV", "development")

from portal import branding, create_app  # noqa: E402
from portal.blueprints.accounts.models import User  # noqa: E402
from portal.db import db, open_database, utcnow  # noqa: E402
from portal.models import ALL_MODELS, create_all  # noqa: E402
from tasks import huey  # noqa: E402
from tests.pages import Page  # noqa: E402

huey.immediate = True


def pytest_sessionstart(session):
    """Collect garbage less often. The modules, models and templates imported by now live
    for the whole run, and every test builds an app full of cycles, so Python's full
    collections kept walking the same few hundred thousand objects: freezing those and
    raising the youngest generation's threshold takes about a tenth off the suite's CPU."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def _reuse_url_builders() -> None:
    """Every test makes its own app, and werkzeug compiles a Python function per route and
    direction each time (about two thirds of create_app's time with 200 routes). The
    function depends only on the rule's text, its parsed parts and its defaults, so the
    same compiled function serves every app of the run."""
    from werkzeug.routing.rules import Rule

    compile_builder, built = Rule._compile_builder, {}

    def reused(self, append_unknown=True):
        key = (self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())),
               append_unknown)
        if key not in built:
            built[key] = compile_builder(self, append_unknown)
        return built[key]

    Rule._compile_builder = reused


def _reuse_parsed_rules() -> None:
    """Parsing a rule's text into its parts is most of what is left of binding it, and
    depends only on that text and on how the map matches hosts. Converters keep the map
    they were made for but never read it, so one parse serves every app of the run."""
    from werkzeug.routing.rules import Rule

    compile_rule, parsed = Rule.compile, {}

    def reused(self):
        key = (self.rule, self.subdomain, self.host, self.merge_slashes,
               self.map.host_matching, tuple(sorted(self.map.converters.items())))
        if key not in parsed:
            compile_rule(self)
            parsed[key] = (self._parts, self._trace, self._converters)
            return
        self._parts, self._trace, self._converters = parsed[key]
        self.arguments.update(self._converters)  # parsing adds each variable's name
        self._build = self._compile_builder(False).__get__(self, None)
        self._build_unknown = self._compile_builder(True).__get__(self, None)

    Rule.compile = reused


_reuse_url_builders()
_reuse_parsed_rules()


def worker_database_url(url: str, worker: str) -> str:
    """The URL of `worker`'s own database on the same server: `tandem_test` -> `tandem_test_gw0`."""
    if not worker:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{worker}"))


# The database DATABASE_URL names: the one the tests use without workers, and with workers the
# database connected to while each worker creates and drops its own.
SERVER_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith("postgres")
# This process's database: every fixture, app config and subprocess (gunicorn, huey
# consumers) must use it, never SERVER_URL, or two workers would empty each other's tables.
POSTGRES_URL = worker_database_url(SERVER_URL, WORKER) if ON_POSTGRES else SERVER_URL
if ON_POSTGRES:
    os.environ["DATABASE_URL"] = POSTGRES_URL
TEST_PASSWORD = "correct horse battery"
CSRF_RAW_TOKEN = "test-csrf-raw-token"
FAST_HASH = "pbkdf2:sha256:1000"  # the real default (scrypt) is slow on purpose


# Where the long tests are, first: consumers killed and restarted, races, servers started in
# a subprocess (mostly waiting), then the browser journeys; and anywhere, tests marked long.
# Started first, they overlap the many short tests; collected in path order, several were
# still running alone at the end of a run.
LONG_FIRST = ("tests/integration/", "tests/tasks/", "tests/browser/")


def pytest_collection_modifyitems(session, config, items):
    def rank(item) -> int:
        if item.get_closest_marker("long"):
            return 0
        path = item.nodeid
        return next((i for i, prefix in enumerate(LONG_FIRST) if path.startswith(prefix)),
                    len(LONG_FIRST))

    items.sort(key=rank)


def pytest_report_header(config):
    if not ON_POSTGRES:
        return "database: SQLite files"
    if getattr(config.option, "numprocesses", None):
        return f"database: PostgreSQL, one database per worker beside {SERVER_URL}"
    return f"database: PostgreSQL at {POSTGRES_URL}"


@pytest.fixture(scope="session", autouse=True)
def _worker_database():
    """Under xdist on PostgreSQL, this worker's own database, made empty for the session
    (a crashed run may have left one) and dropped at the end. Autouse: tests that connect
    to POSTGRES_URL without the `app` fixture need it too."""
    if not (ON_POSTGRES and WORKER):
        yield
        return
    import psycopg2

    name = urlsplit(POSTGRES_URL).path.lstrip("/")
    admin = psycopg2.connect(SERVER_URL)
    admin.autocommit = True
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="session")
def _postgres_schema(_worker_database):
    """On PostgreSQL, create the tables once; each test then empties them."""
    if not ON_POSTGRES:
        yield None
        return
    database = open_database(POSTGRES_URL)
    db.initialize(database)
    with db.connection_context():
        db.execute_sql("DROP TABLE IF EXISTS search_vector")
        db.drop_tables(ALL_MODELS, safe=True, cascade=True)
        create_all(db)
    yield database


def test_config(tmp_path) -> dict:
    return {
        "TESTING": True,
        "TANDEM_ENV": "development",
        "DATABASE_URL": POSTGRES_URL if ON_POSTGRES else f"sqlite:///{tmp_path}/test.db",
        "INSTANCE_DIR": str(tmp_path),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SECRET_KEY": "test-secret-key",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "MAIL_URL": "console:",
        "BASE_URL": "http://localhost",
        "RATELIMIT_URL": "database",
        # Warmed once by the `app` fixture, so query counts are the same on every request.
        "BRANDING_CACHE_SECONDS": 3600,
    }


@pytest.fixture(scope="session")
def _sqlite_schema(tmp_path_factory):
    """On SQLite, an empty database with every table, made once; each test gets a copy."""
    if ON_POSTGRES:
        return None
    path = tmp_path_factory.mktemp("schema") / "schema.db"
    database = open_database(f"sqlite:///{path}")
    previous = db.obj
    db.initialize(database)
    with db.connection_context():
        create_all(db)
        db.execute_sql("PRAGMA journal_mode=DELETE")  # one self-contained file to copy
    db.initialize(previous)
    return path


# Every table emptied and every used sequence restarted, as TRUNCATE ... RESTART IDENTITY
# would: TRUNCATE takes about 100 ms for 80 tables, most of them empty, and this about 8.
# Foreign keys and triggers are off while it runs (replica role), so the order is free.
EMPTY_POSTGRES = """
DO $$
DECLARE r record;
BEGIN
  SET LOCAL session_replication_role = replica;
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('DELETE FROM %%I', r.tablename);
  END LOOP;
  FOR r IN SELECT schemaname, sequencename FROM pg_sequences WHERE last_value IS NOT NULL LOOP
    EXECUTE format('ALTER SEQUENCE %%I.%%I RESTART', r.schemaname, r.sequencename);
  END LOOP;
END $$"""


@pytest.fixture
def app(tmp_path, _postgres_schema, _sqlite_schema):
    if not ON_POSTGRES:
        shutil.copyfile(_sqlite_schema, tmp_path / "test.db")
    app = create_app(test_config(tmp_path))
    with db.connection_context():
        if ON_POSTGRES:
            db.execute_sql(EMPTY_POSTGRES)
        with app.app_context():
            branding.current()
    yield app


@pytest.fixture
def today() -> dt.date:
    """Today, once per test: a date worked out at import would be yesterday's for a test
    that runs after midnight, while the app reads the clock."""
    return dt.date.today()


@pytest.fixture
def database(app):
    """An open connection for tests that query models directly."""
    with app.app_context():
        db.connect(reuse_if_open=True)
        yield db
        if not db.is_closed():
            db.close()


@pytest.fixture
def topics(app):
    """The theme topics that the migrations put into every database."""
    from portal.demo import ensure_topics
    from portal.taxonomy import Topic

    with app.app_context(), db.connection_context():
        ensure_topics()
        return list(Topic.ordered())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_token(app, client):
    """A valid token for `client`'s session, made the way Flask-WTF makes one."""
    with client.session_transaction() as session:
        session["csrf_token"] = CSRF_RAW_TOKEN
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps(
        CSRF_RAW_TOKEN)


@pytest.fixture
def make_user(app):
    counter = {"n": 0}

    def make(role="member", email=None, name=None, password=TEST_PASSWORD, verified=True,
             **fields) -> User:
        counter["n"] += 1
        n = counter["n"]
        with app.app_context(), db.connection_context():
            user = User(name=name or f"Person {n}", email=(email or f"person{n}@example.org"),
                        role=role, email_verified_at=utcnow() if verified else None, **fields)
            user.set_password(password, FAST_HASH)
            user.save()
        return user

    return make


@pytest.fixture
def make_article(app, make_user):
    """Articles through the real service: a revision, topics, audience and search entry."""
    from portal import audience
    from portal.blueprints.hub import services

    authors = []

    def make(title="Planning your handover", summary="What to hand over, and to whom.",
             body="## Before you go\n\nWrite it down.", kind="guide", topic_ids=(),
             audience_value=audience.SIGNED_IN, group_ids=(), published=True, author=None):
        if author is None:
            if not authors:
                authors.append(make_user(role="staff", name="Hub Author"))
            author = authors[0]
        with app.app_context(), db.connection_context():
            from portal.blueprints.accounts.models import User

            owner = User.get_by_id(author.id)
            article = services.save_article(
                owner, None, title=title, summary=summary, body=body, kind=kind,
                topic_ids=list(topic_ids), audience_value=audience_value,
                group_ids=list(group_ids), review_by=None)
            if published:
                services.publish_now(owner, article)
            return article

    return make


@pytest.fixture
def login(client, csrf_token):
    def do_login(user, password=TEST_PASSWORD, remember=False, next_url=None):
        """Log in as `user`, replacing whoever was logged in on this client."""
        client.delete_cookie("remember_token")
        with client.session_transaction() as session:
            session.clear()
            session["csrf_token"] = CSRF_RAW_TOKEN
        data = {"email": user.email, "password": password, "csrf_token": csrf_token}
        if remember:
            data["remember"] = "y"
        url = "/accounts/login" + (f"?next={next_url}" if next_url else "")
        response = client.post(url, data=data)
        assert response.status_code == 303, Page(response).error_summary()
        return response

    return do_login


@pytest.fixture
def sent_emails(app):
    """The outbox rows for an address, newest first."""
    from portal.outbox import OutboxMessage

    def emails(address):
        with app.app_context(), db.connection_context():
            return list(OutboxMessage.latest_to(address))

    return emails


def link_in(body: str) -> str:
    """The path of the first link in an email body."""
    match = re.search(r"https?://[^/\s]+(/\S+)", body)
    assert match, f"no link in email:\n{body}"
    return match.group(1)
