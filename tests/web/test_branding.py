"""The organisation's name, logo and footer links are site settings: admins change them in
the portal, every page's header and footer show them, and each change is audited."""
import io
import json
import struct
import zlib
from pathlib import Path

import pytest

from portal import branding, settings
from portal.audit import AuditEntry
from portal.db import db
from tests.pages import Page

SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'
SAFE_SVG = (f'<svg {SVG_NS} xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
            '<defs><linearGradient id="g"><stop offset="0" stop-color="#005eb8"/>'
            '</linearGradient></defs><title>Trust</title>'
            '<rect id="r" width="10" height="10" style="fill:url(#g)"/>'
            '<use xlink:href="#r"/></svg>').encode()


def png_bytes() -> bytes:
    """A real 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00\x5e\xb8")) + chunk(b"IEND", b""))


@pytest.fixture
def admin(make_user, login):
    user = make_user(role="admin", name="Ada Admin")
    login(user)
    return user


@pytest.fixture
def save(client, csrf_token, admin):
    def post(logo=None, **fields):
        data = {"csrf_token": csrf_token, **fields}
        if logo is not None:
            data["organisation_logo"] = (io.BytesIO(logo[1]), logo[0])
        return client.post("/staff/settings", data=data, content_type="multipart/form-data")

    return post


def stored_branding(app):
    with app.app_context(), db.connection_context():
        values = settings.all_settings()
    return {k: values[k] for k in ("organisation_name", "organisation_logo", "footer_links")}


def uploaded_files(app) -> list[Path]:
    return [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]


def test_the_header_and_footer_show_the_configured_organisation(client, save):
    assert "NHS People Development" in Page(client.get("/")).text(".nhsuk-header")
    response = save(organisation_name="Northshire Healthcare NHS Trust",
                    footer_links="Privacy notice | https://www.northshire.nhs.uk/privacy\n\n"
                                 "Contact us | mailto:mentoring@northshire.nhs.uk\n"
                                 "Help | /hub/")
    assert response.status_code == 303
    page = Page(client.get("/"))
    assert page.text(".nhsuk-header__organisation-name") == "Northshire Healthcare NHS Trust"
    footer = {a.get_text(strip=True): a["href"] for a in page.soup.select("footer a")}
    assert footer["Privacy notice"] == "https://www.northshire.nhs.uk/privacy"
    assert footer["Contact us"] == "mailto:mentoring@northshire.nhs.uk"
    assert footer["Help"] == "/hub/"
    assert "Accessibility statement" in footer
    assert "Northshire Healthcare NHS Trust" in page.text("footer")


def test_the_change_is_audited(app, save, admin):
    save(organisation_name="Northshire Healthcare NHS Trust")
    with app.app_context(), db.connection_context():
        entry = AuditEntry.select().order_by(AuditEntry.id.desc()).get()
    assert (entry.action, entry.actor_id) == ("settings.change", admin.id)
    assert json.loads(entry.before) == {"organisation_name": "NHS People Development"}
    assert json.loads(entry.after) == {"organisation_name": "Northshire Healthcare NHS Trust"}


PAYLOAD = '<script>alert("x")</script>" onmouseover="alert(1)'


def test_names_and_link_texts_are_escaped(client, save):
    response = save(organisation_name=PAYLOAD, footer_links=f"{PAYLOAD} | https://example.org/")
    assert response.status_code == 303
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    assert 'onmouseover="alert(1)' not in html
    page = Page(response)
    assert page.soup.select_one("script:not([src])") is None
    assert page.text(".nhsuk-header__organisation-name") == PAYLOAD
    assert PAYLOAD in [a.get_text(strip=True) for a in page.soup.select("footer a")]


@pytest.mark.parametrize("line, message", [
    ("Bad | javascript:alert(1)", "Line 1: the address must start with https://"),
    ("Data | data:text/html,hi", "Line 1: the address must start with https://"),
    ("Elsewhere | //evil.example/", "Line 1: the address must start with https://"),
    ("No address at all", "Line 1: write the link text, a | and then the address"),
])
def test_unsafe_or_malformed_footer_links_are_refused(app, save, line, message):
    response = save(footer_links=line)
    assert response.status_code == 422
    page = Page(response)
    assert page.field_errors()["footer_links"].startswith(message)
    assert page.value("footer_links") == line
    assert stored_branding(app)["footer_links"] == ""


def test_an_uploaded_png_becomes_the_header_logo(app, client, save):
    response = save(("trust-logo.png", png_bytes()))
    assert response.status_code == 303
    logo = stored_branding(app)["organisation_logo"]
    assert logo["mime"] == "image/png" and logo["name"] == "trust-logo.png"
    page = Page(client.get("/"))
    image = page.soup.select_one(".nhsuk-header img.nhsuk-header__organisation-logo")
    assert image["src"] == f"/branding/logo?v={logo['sha256'][:12]}"
    assert page.soup.select_one(".nhsuk-header svg.nhsuk-header__logo") is None
    served = client.get(image["src"])
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    assert served.data == png_bytes()
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert served.headers["Cache-Control"] == "public, max-age=86400"
    served.close()


def test_the_logo_is_public_for_the_log_in_page(app, client, save):
    save(("trust-logo.png", png_bytes()))
    client.post("/accounts/logout", data={})
    anonymous = app.test_client()
    with anonymous.get("/branding/logo") as served:
        assert served.status_code == 200
        assert served.headers["Cache-Control"] == "no-cache"  # no version: not kept


def test_a_safe_svg_is_served_as_an_image_with_a_locked_down_policy(app, client, save):
    assert save(("logo.svg", SAFE_SVG)).status_code == 303
    with client.get("/branding/logo") as served:
        assert served.mimetype == "image/svg+xml"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Content-Security-Policy"] == branding.LOGO_POLICY
        assert served.data == SAFE_SVG


@pytest.mark.parametrize("svg, message", [
    (f'<svg {SVG_NS}><script>alert(1)</script></svg>', "The SVG contains a script"),
    (f'<svg {SVG_NS} onload="alert(1)"><rect/></svg>', "The SVG contains an event handler"),
    (f'<svg {SVG_NS}><a href="javascript:alert(1)"><rect/></a></svg>',
     "The SVG contains a script"),
    (f'<svg {SVG_NS}><image href="https://evil.example/x.png"/></svg>',
     "The SVG refers to another file or address"),
    (f'<svg {SVG_NS} xmlns:x="http://www.w3.org/1999/xlink"><use x:href="other.svg#a"/></svg>',
     "The SVG refers to another file or address"),
    (f'<svg {SVG_NS}><rect style="fill:url(https://evil.example/a)"/></svg>',
     "The SVG's styles refer to other files"),
    (f'<svg {SVG_NS}><style>@import "https://evil.example/a.css";</style></svg>',
     "The SVG's styles refer to other files"),
    (f'<svg {SVG_NS}><foreignObject><p xmlns="http://www.w3.org/1999/xhtml">hi</p>'
     '</foreignObject></svg>', "The SVG contains a <foreignObject> element"),
    (f'<svg {SVG_NS}><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'
     '</svg>', "The SVG contains content that is not SVG"),
    (f'<svg {SVG_NS}><set attributeName="href" to="javascript:alert(1)"/></svg>',
     "The SVG contains a <set> element"),
    ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     f'<svg {SVG_NS}>&x;</svg>', "The SVG has a DOCTYPE"),
    ('<html><body>not an image</body></html>', "The file is not an SVG image"),
    ('<svg', "The file is not a well-formed SVG image"),
])
def test_an_unsafe_svg_is_refused_with_the_reason(app, client, save, svg, message):
    response = save(("logo.svg", svg.encode()))
    assert response.status_code == 422
    page = Page(response)
    assert page.field_errors()["organisation_logo"].startswith(message)
    assert any(item.startswith(message) for item in page.error_summary())
    assert stored_branding(app)["organisation_logo"] is None
    assert uploaded_files(app) == []


@pytest.mark.parametrize("name, data, message", [
    ("logo.gif", b"GIF89a\x01\x00\x01\x00", "The logo must be a PNG or SVG image"),
    ("logo.svg", png_bytes(), "The file is a PNG image: rename it to end in .png"),
    ("logo.png", b"", "The file is empty"),
    ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (300 * 1024), "The logo must be smaller"),
    ("../logo.png", png_bytes(), "The file name must not contain a folder path"),
])
def test_other_files_are_refused(app, save, name, data, message):
    response = save((name, data))
    assert response.status_code == 422
    assert Page(response).field_errors()["organisation_logo"].startswith(message)
    assert uploaded_files(app) == []


def test_saving_other_settings_keeps_the_logo_and_remove_takes_it_away(app, client, save):
    save(("trust-logo.png", png_bytes()))
    logo = stored_branding(app)["organisation_logo"]
    assert save(organisation_name="Northshire").status_code == 303
    assert stored_branding(app)["organisation_logo"] == logo
    settings_page = Page(client.get("/staff/settings"))
    assert settings_page.soup.select_one("#remove_logo") is not None
    assert save(remove_logo="y").status_code == 303
    assert stored_branding(app)["organisation_logo"] is None
    assert Page(client.get("/")).soup.select_one(".nhsuk-header svg.nhsuk-header__logo")
    assert client.get("/branding/logo").status_code == 404


def test_without_a_logo_there_is_no_logo_address(client):
    assert client.get("/branding/logo").status_code == 404


def test_other_servers_see_the_change_once_their_copy_expires(app, save, tmp_path):
    from portal import create_app
    from tests import conftest as shared

    other = create_app({**shared.test_config(tmp_path), "BRANDING_CACHE_SECONDS": 0,
                        "DATABASE_URL": app.config["DATABASE_URL"]})
    save(organisation_name="Northshire Healthcare NHS Trust")
    page = Page(other.test_client().get("/"))
    assert page.text(".nhsuk-header__organisation-name") == "Northshire Healthcare NHS Trust"
