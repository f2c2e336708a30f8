"""The resource library: safe uploads, downloads for the right people, browsing and search."""
import io
import os
import zipfile

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from portal import audience, settings
from portal.blueprints.library.models import Resource, ResourceFile
from portal.db import db
from portal.groups import Group, GroupMembership
from tests.pages import Page

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + os.urandom(64)
HX = {"HX-Request": "true"}


def docx_bytes(extra: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>" + extra.decode())
    return buffer.getvalue()


@pytest.fixture
def staff(make_user, login):
    user = make_user(role="staff", name="Sam Staff")
    login(user)
    return user


def post_multipart(client, url, fields: dict):
    """Encode the form in memory: the test client would spool a large body to a temporary
    file that it never closes."""
    values = MultiDict()
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            values.add(key, FileStorage(io.BytesIO(item[0]), filename=item[1])
                       if isinstance(item, tuple) else item)
    boundary, body = encode_multipart(values)
    return client.post(url, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def upload(client, csrf_token, content: bytes, name: str, **fields):
    return post_multipart(client, "/library/new", {
        "title": fields.pop("title", "Return to work workbook"), "kind": "file",
        "audience": "signed_in", "description": "A workbook.", "csrf_token": csrf_token,
        "file": (content, name), **fields})


def fetch(client, url):
    """GET a download and close it, as a browser would once it has the bytes."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def stored_files(app):
    root = app.config["UPLOAD_DIR"]
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


def test_upload_a_pdf_and_download_the_same_bytes(app, client, staff, csrf_token, make_user,
                                                  login):
    response = upload(client, csrf_token, PDF_BYTES, "Workbook (v2).pdf")
    assert response.status_code == 303
    resource_url = response.headers["Location"]
    login(make_user())
    page = Page(client.get(resource_url))
    assert page.heading() == "Return to work workbook"
    assert page.text("#file-details").startswith(f"PDF, {len(PDF_BYTES)} Bytes, version 1")
    download = fetch(client, page.soup.find(id="download")["href"])
    assert download.data == PDF_BYTES
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "Workbook (v2).pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert Page(client.get(resource_url)).text("#download-count") == "1"
    [path] = stored_files(app)
    assert "Workbook" not in path and os.path.basename(path).isalnum()


def test_add_a_link(client, staff, csrf_token):
    response = client.post("/library/new", data={
        "title": "Supervision recording", "kind": "video", "audience": "signed_in",
        "url": "https://video.example.org/watch/123", "csrf_token": csrf_token})
    page = Page(client.get(response.headers["Location"]))
    assert page.soup.find(id="open-link")["href"] == "https://video.example.org/watch/123"


@pytest.mark.parametrize(("url", "message"), [
    ("", "Enter the web address of the link"),
    ("http://example.org", "Enter a web address that starts with https://"),
    ("javascript:alert(1)", "Enter a web address that starts with https://"),
])
def test_links_must_be_https(client, staff, csrf_token, url, message):
    response = client.post("/library/new", data={
        "title": "A link", "kind": "link", "audience": "signed_in", "url": url,
        "csrf_token": csrf_token})
    assert response.status_code == 422
    assert Page(response).field_errors() == {"url": message}


ZIP_BOMB = None


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"0" * (60 * 1024 * 1024))
    return buffer.getvalue()


BAD_UPLOADS = [
    ("program renamed .pdf", b"MZ\x90\x00" + os.urandom(200), "report.pdf",
     "Programs and scripts cannot be uploaded"),
    ("shell script", b"#!/bin/sh\nrm -rf /\n", "notes.txt", "Programs and scripts cannot be "
                                                          "uploaded"),
    ("html page", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "page.html",
     "Web pages and SVG images cannot be uploaded"),
    ("html as text", b"<html><body onload=alert(1)>hi</body></html>", "notes.txt",
     "Web pages and SVG images cannot be uploaded"),
    ("svg image", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
     "logo.svg", "Web pages and SVG images cannot be uploaded"),
    ("empty file", b"", "empty.pdf", "The file is empty"),
    ("path in the name", PDF_BYTES, "../../etc/passwd.pdf",
     "The file name must not contain a folder path (like ../). Rename the file and try again"),
    ("control characters", PDF_BYTES, "report\x07\x1b.pdf",
     "The file name contains control characters. Rename the file and try again"),
    ("contents do not match the name", PDF_BYTES, "report.docx",
     "The file's contents are a PDF, which does not match its name. Rename it to end in .pdf"),
    ("a plain zip", b"PK\x03\x04" + docx_bytes()[4:].replace(b"word/", b"data/"), "a.docx",
     "Only PDF, Word, Excel, PowerPoint, plain text, CSV, PNG or JPEG files can be uploaded. "
     "Zip files cannot"),
]


@pytest.mark.parametrize(("case", "content", "name", "message"), BAD_UPLOADS,
                         ids=[case[0] for case in BAD_UPLOADS])
def test_bad_uploads_are_refused_and_nothing_is_stored(app, client, staff, csrf_token, case,
                                                       content, name, message):
    response = upload(client, csrf_token, content, name)
    page = Page(response)
    assert response.status_code == 422
    assert page.field_errors() == {"file": message}
    assert page.value("title") == "Return to work workbook"
    assert stored_files(app) == []
    with app.app_context(), db.connection_context():
        assert Resource.select().count() == 0


def test_a_zip_bomb_disguised_as_a_document_is_refused(app, client, staff, csrf_token):
    response = upload(client, csrf_token, zip_bomb(), "harmless.docx")
    assert Page(response).field_errors()["file"].startswith(
        "The document expands to far more than its size")
    assert stored_files(app) == []


def test_over_the_size_limit_is_refused(app, client, staff, csrf_token):
    with app.test_request_context(), db.connection_context():
        settings.save({"library_max_upload_mb": 1})
    response = upload(client, csrf_token, PDF_BYTES + b"0" * (1024 * 1024), "big.pdf")
    assert Page(response).field_errors() == {"file": "The file must be smaller than 1 MB"}
    assert stored_files(app) == []


def test_word_excel_powerpoint_csv_text_and_images_are_accepted(app, client, staff, csrf_token):
    samples = [(docx_bytes(), "a.docx", "Word document"),
               (b"\x89PNG\r\n\x1a\n" + os.urandom(40), "b.png", "PNG image"),
               (b"\xff\xd8\xff\xe0" + os.urandom(40), "c.jpg", "JPEG image"),
               (b"name,role\nAda,mentor\n", "d.csv", "CSV spreadsheet"),
               ("Notes – café\n".encode(), "e.txt", "Plain text"),
               (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(64), "f.doc",
                "Office document (97–2003)")]
    for content, name, label in samples:
        response = upload(client, csrf_token, content, name, title=name)
        assert response.status_code == 303, (name, Page(response).field_errors())
        assert Page(client.get(response.headers["Location"])).text("#file-details").startswith(
            label)


def test_duplicate_upload_is_detected(client, staff, csrf_token):
    upload(client, csrf_token, PDF_BYTES, "one.pdf", title="First copy")
    response = upload(client, csrf_token, PDF_BYTES, "two.pdf", title="Second copy")
    assert Page(response).field_errors() == {
        "file": "This file is already in the library as “First copy”"}


def test_replacing_a_file_keeps_the_history(app, client, staff, csrf_token, make_user, login):
    url = upload(client, csrf_token, PDF_BYTES, "v1.pdf").headers["Location"]
    second = PDF_BYTES + b"% second version\n"
    replaced = post_multipart(client, url + "/replace", {"file": (second, "v2.pdf"),
                                                         "csrf_token": csrf_token})
    assert replaced.status_code == 303
    page = Page(client.get(url))
    assert [row["File"] for row in page.table("#versions")] == ["v2.pdf", "v1.pdf"]
    old_link = page.soup.select("#versions a")[1]["href"]
    assert fetch(client, old_link).data == PDF_BYTES
    login(make_user())
    assert fetch(client, url + "/download").data == second
    assert fetch(client, old_link).status_code == 403
    assert len(stored_files(app)) == 2


def test_outside_the_audience_gets_404_for_page_and_download(app, client, staff, csrf_token,
                                                             make_user, login):
    with app.app_context(), db.connection_context():
        group = Group.create(name="Mentors")
    url = upload(client, csrf_token, PDF_BYTES, "mentors.pdf", audience="groups",
                 groups=[str(group.id)]).headers["Location"]
    member, outsider = make_user(), make_user()
    with app.app_context(), db.connection_context():
        GroupMembership.create(group=group, user=member.id)
    login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(url + "/download").status_code == 404
    assert Page(client.get("/library/?q=mentors")).texts("#resource-rows h2") == []
    login(member)
    assert fetch(client, url + "/download").data == PDF_BYTES


@pytest.mark.parametrize("path", [
    "/library/1/download/../../../etc/passwd", "/library/..%2f..%2fetc%2fpasswd",
    "/library/%2e%2e/%2e%2e/etc/passwd", "/library/1/versions/0/download",
    "/library/1/versions/-1/download", "/static/../instance/secret_key",
    "/assets/../../instance/secret_key", "/library/1%00/download"])
def test_no_url_serves_a_file_outside_the_upload_folder(app, client, staff, csrf_token, path):
    upload(client, csrf_token, PDF_BYTES, "a.pdf")
    response = fetch(client, path)
    assert response.status_code in (404, 400, 308)
    assert b"root:" not in response.data and b"test-secret-key" not in response.data


def test_a_tampered_stored_name_is_never_served(app, client, staff, csrf_token):
    url = upload(client, csrf_token, PDF_BYTES, "a.pdf").headers["Location"]
    with app.app_context(), db.connection_context():
        ResourceFile.update(stored_name="../../../../etc/passwd").execute()
    assert client.get(url + "/download").status_code == 404


def test_browse_by_topic_kind_and_sort(app, client, staff, csrf_token, topics):
    upload(client, csrf_token, PDF_BYTES, "a.pdf", title="Alpha workbook",
           topics=[str(topics[0].id)])
    client.post("/library/new", data={"title": "Beta link", "kind": "link",
                                      "audience": "signed_in", "url": "https://example.org",
                                      "topics": [str(topics[1].id)], "csrf_token": csrf_token})
    names = lambda url: Page(client.get(url)).texts("#resource-rows h2")  # noqa: E731
    assert names("/library/") == ["Beta link", "Alpha workbook"]
    assert names("/library/?sort=title") == ["Alpha workbook", "Beta link"]
    assert names(f"/library/?topic={topics[0].slug}") == ["Alpha workbook"]
    assert names("/library/?kind=link") == ["Beta link"]
    assert names("/library/?sort=nonsense&kind=nonsense") == ["Beta link", "Alpha workbook"]
    fetch(client, "/library/1/download")
    assert names("/library/?sort=downloads") == ["Alpha workbook", "Beta link"]


def test_search_as_fragment_and_page(client, staff, csrf_token):
    upload(client, csrf_token, PDF_BYTES, "kit.pdf", title="Keeping in touch days planner")
    upload(client, csrf_token, PDF_BYTES + b"x", "b.pdf", title="Rota template")
    fragment = Page(client.get("/library/?q=keeping+touch", headers=HX))
    assert fragment.text("#result-count") == "1 result for “keeping touch”"
    assert not fragment.is_full_page
    assert fragment.texts("h2") == ["Keeping in touch days planner"]
    assert fragment.soup.select(".tandem-snippet mark") or fragment.texts("h2")
    page = Page(client.get("/library/?q=rota"))
    assert page.is_full_page and page.texts("#resource-rows h2") == ["Rota template"]


def test_members_cannot_add_or_edit(client, make_user, login, csrf_token):
    login(make_user())
    assert client.get("/library/new").status_code == 403
    assert upload(client, csrf_token, PDF_BYTES, "a.pdf").status_code == 403


def test_related_resources_show_on_the_article(app, client, staff, csrf_token, make_article,
                                               make_user, login):
    article = make_article(title="Planning your return")
    client.post("/library/new", data={"title": "Return checklist", "kind": "link",
                                      "audience": "signed_in", "url": "https://example.org/c",
                                      "articles": [str(article.id)], "csrf_token": csrf_token})
    client.post("/library/new", data={"title": "Staff-only sheet", "kind": "link",
                                      "audience": audience.STAFF, "url": "https://example.org/s",
                                      "articles": [str(article.id)], "csrf_token": csrf_token})
    login(make_user())
    page = Page(client.get(f"/hub/articles/{article.slug}"))
    assert page.texts("#related-resources a") == ["Return checklist"]


def test_show_more_appends_the_next_rows(app, client, staff, csrf_token):
    for n in range(23):
        client.post("/library/new", data={"title": f"Link {n:02d}", "kind": "link",
                                          "audience": "signed_in", "csrf_token": csrf_token,
                                          "url": f"https://example.org/{n}"})
    first = Page(client.get("/library/?sort=title"))
    assert len(first.texts("#resource-rows h2")) == 20
    more = first.soup.select_one("#more-resources a")
    assert more["href"].startswith("/library/?") and more["hx-get"].startswith("/library/more?")
    fragment = Page(client.get(more["hx-get"], headers=HX))
    assert not fragment.is_full_page and fragment.soup.find(id="resource-rows") is None
    assert fragment.texts("h2") == ["Link 20", "Link 21", "Link 22"]
    assert Page(client.get(more["href"])).texts("#resource-rows h2") == ["Link 20", "Link 21",
                                                                         "Link 22"]
