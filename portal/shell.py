"""The page shell: the NHS.UK skip link, header and footer around every page.

nhsuk-frontend-jinja's macros stay the source of that HTML, but running them costs about a
millisecond a page, the same on every page. They are run once for each set of inputs that
changes their output (signed in or not, the navigation a role gets, the staff label with its
count, the branding, the address the app is served under), with placeholders where the
person's name and CSRF token go, and the result is kept in this process: it derives from
code and settings, not from anyone's data. Each request fills in the name and token.

Filling in is only the same as the macros' own output when the macros do nothing to a value
but escape it, so a name that their trim or indent filters would change (surrounding spaces,
line breaks) is rendered by the macros directly. tests/web/test_page_shell.py compares the
two, so an upgrade of nhsuk-frontend-jinja that changes how a value is treated fails there.
"""
from dataclasses import dataclass

from flask import g, get_template_attribute, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from portal import branding, csrf, permissions
from portal.kept import kept
from portal.navigation import main_navigation, staff_label

NAME = "tandem-shell-name-5f0c2a"
TOKEN = "tandem-shell-token-5f0c2a"
KEPT = 64  # distinct shells a process keeps; more than that starts the collection again
# While a page shared by an audience renders (portal/fragments.py), the person's name and
# token are holes that each request fills.
NAME_HOLE, TOKEN_HOLE = "<!--tandem:name-->", "<!--tandem:csrf-->"


@dataclass(frozen=True)
class Shell:
    skip_link: Markup
    header: Markup
    footer: Markup


class _Template:
    """A rendered header with NAME and TOKEN placeholders, split around them."""

    def __init__(self, html: str):
        self.parts = []
        for chunk in html.split(NAME):
            pieces = chunk.split(TOKEN)
            self.parts.append(pieces)

    def fill(self, name: str, token: str) -> Markup:
        return Markup(str(escape(name)).join(str(escape(token)).join(p) for p in self.parts))

    def holes(self) -> Markup:
        return Markup(NAME_HOLE.join(TOKEN_HOLE.join(p) for p in self.parts))


def render(signed_in: bool, name: str, token: str, navigation: list, brand) -> Shell:
    """The macros' own output for these inputs."""
    macros = "_partials/shell.html"
    return Shell(get_template_attribute(macros, "skip_link")(),
                 get_template_attribute(macros, "page_header")(signed_in, name, token,
                                                               navigation, brand),
                 get_template_attribute(macros, "page_footer")(brand))


def is_plain(value: str) -> bool:
    """A value the macros only escape: no surrounding space, no line break."""
    return value == value.strip() and len(value.splitlines()) <= 1


def asset_url(endpoint: str, filename: str) -> str:
    """url_for a static file or an NHS.UK asset, worked out once per address the app is
    served under."""
    return kept("asset_urls", (request.script_root, endpoint, filename),
                lambda: url_for(endpoint, filename=filename))


def key() -> tuple:
    """Everything but the name and token that the shell's HTML depends on."""
    user = current_user._get_current_object()
    signed_in = bool(user.is_authenticated)
    label = staff_label() if signed_in and permissions.can_view_staff_area(user) else None
    brand = branding.current()
    return (request.script_root, signed_in, label, brand.organisation_name,
            brand.logo["sha256"] if brand.logo else None, brand.footer_links)


def page_shell() -> Shell:
    """The shell for this request (a Jinja global that base.html calls)."""
    user = current_user._get_current_object()
    signed_in = bool(user.is_authenticated)
    name = user.name if signed_in else ""
    if not is_plain(name):
        return render(signed_in, name, csrf.token(), main_navigation(user), branding.current())

    def make():
        shell = render(signed_in, NAME, TOKEN, main_navigation(user), branding.current())
        return shell.skip_link, _Template(shell.header), shell.footer

    skip_link, header, footer = kept("page_shells", key(), make, limit=KEPT)
    if g.get("shared_render"):
        return Shell(skip_link, header.holes(), footer)
    return Shell(skip_link, header.fill(name, csrf.token() if signed_in else ""), footer)
