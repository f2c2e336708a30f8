"""The organisation's name, logo and footer links: site settings, so another organisation can
run Tandem under its own name without editing templates.

Every page's header and footer read them, so they are kept per app for a short while
(BRANDING_CACHE_SECONDS, 30 by default) rather than read from the database on every request.
The process that saves them forgets its copy at once; other processes catch up within that
time.

A logo is a PNG or an SVG. An SVG is a document that can carry scripts, event handlers and
references to other files, so one that has any of them is refused (with the reason), not
quietly rewritten; one that passes is served with a policy that would stop them anyway.
"""
import hashlib
import re
import secrets
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, url_for

from portal import settings, uploads
from portal.uploads import UploadRejected

MAX_LOGO_BYTES = 256 * 1024
MAX_FOOTER_LINKS = 10
PNG_MIME, SVG_MIME = "image/png", "image/svg+xml"
# Served on its own address, an SVG may run nothing, fetch nothing and be framed by nobody.
LOGO_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Editors' bookkeeping (Inkscape, Illustrator's RDF metadata): browsers render none of it.
INERT_NAMESPACES = {
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://purl.org/dc/elements/1.1/",
    "http://creativecommons.org/ns#",
}
# SVG elements that run code, embed other documents, or change attributes (an animation
# can turn a harmless href into javascript:).
REFUSED_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler",
                    "listener", "animate", "animatemotion", "animatetransform", "animatecolor",
                    "set", "discard"}
_FOREIGN_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.I)
_DECLARATIONS = re.compile(r"<!DOCTYPE|<!ENTITY|<\?xml-stylesheet", re.I)


@dataclass(frozen=True)
class FooterLink:
    text: str
    href: str


@dataclass(frozen=True)
class Branding:
    organisation_name: str
    logo: dict | None  # {"file", "mime", "sha256", "name", "size"}, or None: the NHS logo
    footer_links: tuple[FooterLink, ...]

    @property
    def logo_url(self) -> str | None:
        if not self.logo:
            return None
        return url_for("home.logo", v=self.logo["sha256"][:12])


@dataclass(frozen=True)
class CheckedLogo:
    data: bytes
    mime: str
    name: str


# --- reading -------------------------------------------------------------------------------

def current() -> Branding:
    """The branding for this page: from the app's copy when it is fresh enough."""
    cached = current_app.extensions.get("branding")
    if cached and cached[0] > time.monotonic():
        return cached[1]
    values = settings.all_settings()
    branding = Branding(values["organisation_name"], values["organisation_logo"] or None,
                        tuple(parse_footer_links(values["footer_links"])))
    expires = time.monotonic() + current_app.config["BRANDING_CACHE_SECONDS"]
    current_app.extensions["branding"] = (expires, branding)
    return branding


def forget() -> None:
    """Called after the settings change, so this process shows the new branding at once."""
    current_app.extensions.pop("branding", None)


def parse_footer_links(text: str) -> list[FooterLink]:
    """One link per line, `Text | address`. Raises ValueError naming the first bad line."""
    links = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        label, bar, href = (part.strip() for part in line.rpartition("|"))
        if not bar or not label or not href:
            raise ValueError(f"Line {number}: write the link text, a | and then the address, "
                             f"like Privacy notice | https://www.example.nhs.uk/privacy")
        if len(label) > 80:
            raise ValueError(f"Line {number}: link text must be 80 characters or fewer")
        if not _is_safe_link(href):
            raise ValueError(f"Line {number}: the address must start with https://, http://, "
                             f"mailto: or / (a page of this site)")
        links.append(FooterLink(label, href))
    if len(links) > MAX_FOOTER_LINKS:
        raise ValueError(f"Add at most {MAX_FOOTER_LINKS} footer links")
    return links


def _is_safe_link(href: str) -> bool:
    if len(href) > 500 or any(ch.isspace() or ord(ch) < 32 for ch in href) or "\\" in href:
        return False
    if href.startswith("/"):
        return not href.startswith("//")
    parts = urlsplit(href)
    if parts.scheme == "mailto":
        return bool(parts.path)
    return parts.scheme in ("https", "http") and bool(parts.hostname)


# --- the logo --------------------------------------------------------------------------------

def check_logo(stream, name: str) -> CheckedLogo:
    """A PNG or a safe SVG, decided from the bytes; raises UploadRejected with the reason."""
    original = uploads.clean_name(name)
    data = stream.read(MAX_LOGO_BYTES + 1)
    if not data:
        raise UploadRejected("The file is empty")
    if len(data) > MAX_LOGO_BYTES:
        raise UploadRejected(f"The logo must be smaller than {MAX_LOGO_BYTES // 1024} KB")
    extension = original.rsplit(".", 1)[-1].lower() if "." in original else ""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        if extension != "png":
            raise UploadRejected("The file is a PNG image: rename it to end in .png")
        return CheckedLogo(data, PNG_MIME, original)
    if extension == "svg":
        check_svg(data)
        return CheckedLogo(data, SVG_MIME, original)
    raise UploadRejected("The logo must be a PNG or SVG image")


def check_svg(data: bytes) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRejected("The SVG must be saved as UTF-8 text") from exc
    if _DECLARATIONS.search(text):
        raise UploadRejected("The SVG has a DOCTYPE, entity or style-sheet declaration, which "
                             "can load other files. Export it as plain SVG")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise UploadRejected("The file is not a well-formed SVG image") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise UploadRejected("The file is not an SVG image (its outer element is not <svg>)")
    for element in root.iter():
        _check_element(element)


def _check_element(element) -> None:
    namespace, _, local = element.tag.rpartition("}")
    namespace = namespace.lstrip("{")
    if namespace != SVG_NS:
        if namespace in INERT_NAMESPACES:
            return
        raise UploadRejected("The SVG contains content that is not SVG (such as HTML). "
                             "It cannot be used as a logo")
    if local.lower() in REFUSED_ELEMENTS:
        if local.lower() == "script":
            raise UploadRejected("The SVG contains a script. It cannot be used as a logo")
        raise UploadRejected(f"The SVG contains a <{local}> element, which can run code or "
                             f"load other content. It cannot be used as a logo")
    if local == "style" and _unsafe_css(element.text or ""):
        raise UploadRejected("The SVG's styles refer to other files or addresses. Only "
                             "references inside the image (like url(#gradient)) are allowed")
    for attribute, value in element.attrib.items():
        _check_attribute(attribute, value)


def _check_attribute(attribute: str, value: str) -> None:
    namespace, _, local = attribute.rpartition("}")
    namespace = namespace.lstrip("{")
    if not namespace and local.lower().startswith("on"):
        raise UploadRejected(f"The SVG contains an event handler ({local}), which runs code. "
                             f"It cannot be used as a logo")
    if "javascript:" in re.sub(r"\s", "", value).lower():
        raise UploadRejected("The SVG contains a script. It cannot be used as a logo")
    if local == "href" and namespace in ("", XLINK_NS) and not value.strip().startswith("#"):
        raise UploadRejected("The SVG refers to another file or address. Only references "
                             "inside the image (like #shape) are allowed")
    if _unsafe_css(value):
        raise UploadRejected("The SVG's styles refer to other files or addresses. Only "
                             "references inside the image (like url(#gradient)) are allowed")


def _unsafe_css(css: str) -> bool:
    lowered = css.lower()
    return bool(_FOREIGN_URL.search(css)) or "@import" in lowered or "expression(" in lowered


def store_logo(logo: CheckedLogo) -> dict:
    """Keep the logo under UPLOAD_DIR with a generated name; returns the setting's value."""
    stored_name = secrets.token_hex(20)
    path = uploads.stored_path(current_app.config["UPLOAD_DIR"], stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(logo.data)
    return {"file": stored_name, "mime": logo.mime, "name": logo.name, "size": len(logo.data),
            "sha256": hashlib.sha256(logo.data).hexdigest()}
