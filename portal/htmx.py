"""The only module that reads htmx request headers or writes htmx response headers."""
from urllib.parse import urlsplit

from flask import Response, make_response, render_template, request


def wants_fragment() -> bool:
    """A partial-page htmx request: not a boosted navigation, not a history restore."""
    details = request.htmx
    return bool(details) and not details.boosted and not details.history_restore_request


def render_page_or_fragment(page: str, fragment: str, status: int = 200, **context):
    template = fragment if wants_fragment() else page
    return render_template(template, **context), status


def with_flashes(fragment: str = "") -> str:
    """A fragment (or nothing) followed by the flashed messages, swapped out of band into
    the page's status region, so an htmx swap keeps the feedback a full page would show.
    The one way any view answers with flash messages after a fragment swap."""
    return str(fragment) + render_template("_partials/flashes_oob.html")


def hx_redirect(response: Response, url: str) -> Response:
    response.headers["HX-Redirect"] = url
    return response


def hx_trigger(response: Response, event: str) -> Response:
    response.headers["HX-Trigger"] = event
    return response


def redirect_for_htmx(url: str, status: int = 401) -> Response:
    return hx_redirect(make_response("", status), url)


def add_vary(response: Response) -> Response:
    """Every page may answer a fragment or a full page, so caches must key on HX-Request."""
    vary = response.headers.get("Vary")
    if not vary:
        response.headers["Vary"] = "HX-Request"
    elif "hx-request" not in vary.lower():
        response.vary.add("HX-Request")
    return response


def current_page() -> str:
    """The page the person is on: for htmx, the page that sent the request, not its URL."""
    if request.htmx and request.htmx.current_url:
        parts = urlsplit(request.htmx.current_url)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.full_path.rstrip("?")
