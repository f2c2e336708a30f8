"""Tandem: the app factory."""
import jinja2
from flask import Flask, send_from_directory
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import db as database
from portal import extensions
from portal.config import check_config, load_config
from portal.requests import TandemRequest
from portal.sessions import RememberingSessionInterface

# View modules; an area whose views span several modules shares the first one's `bp`.
VIEW_MODULES = [
    "portal.blueprints.home.views",
    "portal.blueprints.home.views_branding",
    "portal.blueprints.accounts.views",
    "portal.blueprints.accounts.views_two_factor",
    "portal.blueprints.accounts.views_data",
    "portal.blueprints.staff.views",
    "portal.blueprints.staff.views_audit",
    "portal.blueprints.staff.views_moderation",
    "portal.blueprints.staff.views_people_data",
    "portal.blueprints.hub.views",
    "portal.blueprints.hub.views_comments",
    "portal.blueprints.hub.views_manage",
    "portal.blueprints.library.views",
    "portal.blueprints.library.views_manage",
    "portal.blueprints.webinars.views",
    "portal.blueprints.webinars.views_calendar",
    "portal.blueprints.webinars.views_manage",
    "portal.blueprints.webinars.views_people",
    "portal.blueprints.webinars.views_resources",
    "portal.blueprints.boards.views",
    "portal.blueprints.boards.views_threads",
    "portal.blueprints.boards.views_posts",
    "portal.blueprints.boards.views_people",
    "portal.blueprints.boards.views_manage",
    "portal.blueprints.programmes.views",
    "portal.blueprints.programmes.views_manage",
    "portal.blueprints.programmes.views_review",
    "portal.blueprints.programmes.views_matching",
    "portal.blueprints.programmes.views_public",
    "portal.blueprints.programmes.views_apply",
    "portal.blueprints.mentoring.views",
    "portal.blueprints.mentoring.views_notes",
    "portal.blueprints.mentoring.views_goals",
    "portal.blueprints.mentoring.views_agreement",
    "portal.blueprints.mentoring.views_sessions",
    "portal.blueprints.mentoring.views_care",
    "portal.blueprints.mentoring.views_checkins",
    "portal.blueprints.mentoring.views_coordinator",
    "portal.blueprints.evaluation.views",
    "portal.blueprints.evaluation.views_respond",
    "portal.blueprints.evaluation.views_results",
    "portal.blueprints.evaluation.views_reports",
    "portal.blueprints.notifications.views",
    "portal.blueprints.notifications.views_unsubscribe",
    "portal.blueprints.newsletter.views",
    "portal.blueprints.newsletter.views_manage",
    "portal.blueprints.experts.views",
    "portal.blueprints.experts.views_ask",
    "portal.blueprints.experts.views_answer",
    "portal.blueprints.experts.views_profile",
    "portal.blueprints.experts.views_manage",
    "portal.blueprints.experts.views_specialisms",
]


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(load_config())
    if config and "SECRET_KEY" in config:  # given by the caller, not generated here
        app.config["SECRET_KEY_GENERATED"] = False
    app.config.update(config or {})
    check_config(app.config)
    _trust_proxies(app)
    _configure_templates(app)
    database.init_app(app)
    extensions.csrf.init_app(app)
    _configure_fragments(app)
    extensions.htmx.init_app(app)
    app.request_class = TandemRequest  # after htmx-flask, which sets its own
    app.session_interface = RememberingSessionInterface()
    _configure_login(app)
    _register_blueprints(app)
    _register_hooks(app)
    _register_assets(app)

    from portal.cli import register_commands
    from portal.errors import register_error_handlers

    register_error_handlers(app)
    register_commands(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES load balancers, take the client's address and scheme from
    the X-Forwarded-For/-Proto entries they add, so per-address limits key on the person,
    not on the balancer. With none, those headers are ignored: anyone can send them."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _configure_templates(app: Flask) -> None:
    from portal import permissions

    app.jinja_loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(app.root_path + "/templates"),
        jinja2.PackageLoader("nhsuk_frontend_jinja", "templates"),
    ])
    # nhsuk-frontend-jinja reads optional parameters through chains like params.a.b.
    app.jinja_env.undefined = jinja2.ChainableUndefined
    # Flask escapes only templates named .html (and a few others), so the NHS macros
    # (.jinja) printed every `text` they were given as markup. Escape everything except the
    # plain-text emails.
    app.jinja_env.autoescape = jinja2.select_autoescape(
        disabled_extensions=("txt",), default_for_string=True, default=True)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["compact"] = lambda attrs: {k: v for k, v in attrs.items()
                                                      if v is not None}
    app.jinja_env.globals.update(permissions.RULES)
    app.jinja_env.globals["site_name"] = app.config["SITE_NAME"]
    from portal import branding

    app.jinja_env.globals["branding"] = branding.current
    from portal.shell import asset_url, page_shell

    app.jinja_env.globals.update(page_shell=page_shell, asset_url=asset_url)
    from portal.forms import field_once

    app.jinja_env.globals["field_once"] = field_once
    from portal.search import highlight

    app.jinja_env.filters["highlight"] = highlight
    from portal.blueprints.hub.models import KINDS

    app.jinja_env.globals["kinds"] = KINDS
    from portal.blueprints.library.models import KINDS as LIBRARY_KINDS

    app.jinja_env.globals["library_kinds"] = LIBRARY_KINDS


def _configure_fragments(app: Flask) -> None:
    """Templates write the CSRF token and a person's own values as holes while a fragment
    shared by an audience renders (portal/fragments.py)."""
    from portal import fragments

    app.jinja_env.globals.update(csrf_token=fragments.csrf_token, hole=fragments.hole,
                                 hole_around=fragments.hole_around,
                                 someone_else=fragments.someone_else)


def _configure_login(app: Flask) -> None:
    from flask import flash, redirect, request, url_for

    from portal import viewer
    from portal.htmx import current_page, redirect_for_htmx
    from portal.security import is_safe_next

    login_manager = extensions.login_manager
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    login_manager.user_loader(viewer.load_user)

    @login_manager.unauthorized_handler
    def _unauthorised():
        target = current_page()
        login_url = url_for("accounts.login", next=target if is_safe_next(target) else None)
        if request.htmx:
            return redirect_for_htmx(login_url)
        flash("Sign in to see this page.", "info")
        return redirect(login_url, 303)


def _register_blueprints(app: Flask) -> None:
    import importlib

    blueprints = {}
    for module_name in VIEW_MODULES:
        bp = importlib.import_module(module_name).bp
        blueprints.setdefault(bp.name, bp)
    for bp in blueprints.values():
        app.register_blueprint(bp)


def _register_hooks(app: Flask) -> None:
    from portal.htmx import add_vary
    from portal.security import add_security_headers

    app.after_request(add_security_headers)
    app.after_request(add_vary)


def _register_assets(app: Flask) -> None:
    """nhsuk-frontend's CSS expects its icons and images under /assets/."""
    assets = app.root_path + "/static/vendor/assets"

    @app.get("/assets/<path:filename>", endpoint="assets")
    def _assets(filename):
        return send_from_directory(assets, filename, max_age=86400)
