"""The page shell: security headers, error pages, health check, operator commands."""
from portal.blueprints.accounts.models import User
from portal.blueprints.programmes.demo import DEMO_MEMBERS
from portal.db import db
from portal.security import is_safe_next
from tests.pages import Page


def test_every_page_carries_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_page_has_no_inline_script(client):
    page = Page(client.get("/accounts/login"))
    scripts = page.soup.find_all("script")
    assert scripts and all(script.get("src") and not script.string for script in scripts)
    assert not page.soup.select("[onclick], [onload], [onsubmit]")


def test_htmx_is_configured_to_send_csrf_and_swap_form_errors(client):
    import json

    page = Page(client.get("/"))
    config = json.loads(page.soup.find("meta", attrs={"name": "htmx-config"})["content"])
    assert config["historyRestoreAsHxRequest"] is False
    assert config["selfRequestsOnly"] is True and config["allowEval"] is False
    assert {"code": "422", "swap": True} in config["responseHandling"]
    assert "X-CSRFToken" in page.soup.body["hx-headers"]
    assert page.soup.find("script", src="/static/vendor/htmx-2.0.11.min.js")


def test_session_cookie_flags(app, make_user, login, client):
    login(make_user())
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_default_configuration_sets_secure_cookies(monkeypatch, tmp_path):
    from portal.config import load_config

    monkeypatch.delenv("COOKIE_SECURE", raising=False)
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path))
    config = load_config()
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert (tmp_path / "secret_key").exists()


def test_404_page_is_in_the_shell(client):
    response = client.get("/no/such/page")
    page = Page(response)
    assert response.status_code == 404
    assert page.heading() == "Page not found"
    assert page.soup.select_one(".nhsuk-skip-link")["href"] == "#maincontent"


def test_skip_link_header_and_one_h1(client):
    page = Page(client.get("/"))
    assert page.soup.select_one("a.nhsuk-skip-link").get_text(strip=True) == \
        "Skip to main content"
    assert page.soup.find(id="maincontent").name == "main"
    assert len(page.soup.find_all("h1")) == 1


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok")


def test_healthz_answers_503_when_the_database_does_not(app, tmp_path):
    from portal.db import open_database

    missing_dir = tmp_path / "gone" / "db.sqlite"
    db.initialize(open_database(f"sqlite:///{missing_dir}"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503


def test_home_page_shows_demo_topics(client, topics):
    page = Page(client.get("/"))
    assert page.heading() == "Mentoring for health and care staff"
    assert "Returning to work" in page.texts("#topics li")


def test_create_user_command_makes_a_confirmed_account_with_a_role(app):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "Boss@Example.org", "--name", "Boss", "--role", "admin",
        "--password", "long enough password"])
    assert result.output.strip() == "created: boss@example.org (admin)"
    with app.app_context(), db.connection_context():
        boss = User.by_email("boss@example.org")
        assert boss.is_verified and boss.check_password("long enough password")


def test_create_user_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "a@example.org", "--name", "A", "--password", "short"])
    assert result.exit_code != 0 and "at least 10 characters" in result.output


def test_seed_demo_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert first.output == second.output
    assert "admin@tandem.example" in first.output
    with app.app_context(), db.connection_context():
        # One account per role, plus the members who apply to the demo programmes.
        assert User.select().count() == 5 + len(DEMO_MEMBERS)
        # mentor@ and mentee@ are a working pair, once: the pair's space has something in it.
        from portal.blueprints.mentoring.models import ACTIVE, Goal, MentoringSession, Relationship

        pair = Relationship.get(Relationship.mentor == User.by_email("mentor@tandem.example"))
        assert pair.status == ACTIVE and Relationship.select().count() == 1
        assert MentoringSession.select().where(MentoringSession.relationship == pair).count() == 3
        assert Goal.select().where(Goal.countersigned_at.is_null(False)).count() == 1


def test_safe_next_accepts_only_local_paths():
    assert is_safe_next("/dashboard?x=1")
    for target in ["//evil.example", "/\\evil.example", "https://evil.example",
                   "http:/evil", "evil.example", "", None, "/\tevil"]:
        assert not is_safe_next(target), target
