"""The resource library in a real browser: staff add a PDF and a link, a participant finds
them by search and by topic and downloads the file, and someone outside a resource's
audience gets "not found" for its page and its download."""
import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Locator, expect

from tests.browser.pages import LoginPage, PageObject
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

AGREEMENT = "Return to work agreement template"
GUIDANCE = "Return to work guidance from NHS Employers"
HANDBOOK = "Mentor handbook for career conversations"
GUIDANCE_URL = "https://www.nhsemployers.org/articles/supporting-staff-returning-to-work"


def small_pdf(text: str) -> bytes:
    """A valid one-page PDF showing `text`, with a correct cross-reference table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


# Page objects for the library ----------------------------------------------------------------

class LibraryPage(PageObject):
    path = "/library/"
    heading = "Resource library"

    @property
    def rows(self) -> Locator:
        return self.page.locator("#resource-rows > li")

    @property
    def titles(self) -> Locator:
        return self.page.locator("#resource-rows").get_by_role("heading")

    def add_a_resource(self) -> "AddResourcePage":
        self.follow("Add a resource")
        return AddResourcePage(self.page, self.axe)

    def _updated(self, url: re.Pattern) -> "LibraryPage":
        """With JavaScript the list is replaced in place and the address follows."""
        expect(self.page).to_have_url(url)
        expect(self.page.locator("#library-loading.htmx-request")).to_have_count(0)
        self.check_accessibility()
        return self

    def search(self, text: str) -> "LibraryPage":
        field = self.main.get_by_label("Search the library", exact=True)
        field.clear()
        if text:
            field.press_sequentially(text)
        return self._updated(re.compile(rf"/library/\?q={re.escape(quote(text))}(&|$)"))

    def filter_by_topic(self, topic) -> "LibraryPage":
        self.choose("Topic", topic.name)
        return self._updated(re.compile(rf"/library/\?.*topic={re.escape(topic.slug)}(&|$)"))

    def open(self, title: str) -> "ResourcePage":
        self.page.locator("#resource-rows").get_by_role("link", name=title, exact=True).click()
        return ResourcePage(self.page, self.axe, heading=title)


class AddResourcePage(PageObject):
    heading = "Add a resource"

    def add(self, *, title: str, description: str, kind: str, topic: str,
            audience: str = "Anyone signed in", groups: tuple[str, ...] = (),
            file: dict | None = None, url: str | None = None) -> "ResourcePage":
        self.fill("Title", title)
        self.fill("Description", description)
        self.main.get_by_role("group", name="What are you adding?").get_by_label(
            kind, exact=True).check()
        if file is not None:
            self.main.locator("input[type=file]").and_(
                self.main.get_by_label("File to upload", exact=True)).set_input_files(file)
        if url is not None:
            self.fill("Web address", url)
        self.main.get_by_role("group", name="Topics").get_by_label(topic, exact=True).check()
        self.main.get_by_role("group", name="Who can see it").get_by_label(
            audience, exact=True).check()
        for group in groups:
            self.main.get_by_role("group", name="Groups").get_by_label(group, exact=True).check()
        self.press("Add to the library")
        return ResourcePage(self.page, self.axe, heading=title)


class ResourcePage(PageObject):
    def back_to_library(self) -> LibraryPage:
        self.follow("Resource library")
        return LibraryPage(self.page, self.axe)


def log_in(page, axe, user) -> LibraryPage:
    LoginPage.open(page, axe).log_in(user.email, TEST_PASSWORD).navigate("Library")
    return LibraryPage(page, axe)


@pytest.fixture
def make_group(app):
    """A staff group with these people in it (staff would make it in the staff area)."""
    from portal.db import db
    from portal.groups import Group, GroupMembership

    def make(name: str, *members):
        with app.app_context(), db.connection_context():
            group = Group.create(name=name)
            for person in members:
                GroupMembership.create(group=group, user=person.id)
        return group

    return make


# The journey ------------------------------------------------------------------------------------

def test_staff_add_a_file_and_a_link_that_participants_find_and_outsiders_cannot_see(
        new_page, axe, make_user, make_group, topics):
    staff = make_user(role="staff", name="Sadia Staff", email="sadia.staff@example.nhs.uk")
    participant = make_user(name="Maya Mentor", email="maya.mentor@example.nhs.uk")
    outsider = make_user(name="Oscar Outsider", email="oscar@example.nhs.uk")
    make_group("Mentors", participant)
    returning, careers = topics[2], topics[9]
    assert (returning.name, careers.name) == ("Returning to work", "Career development")
    agreement_pdf = small_pdf("Return to work agreement")

    # Staff add a file and a link for anyone signed in, and a file for mentors only.
    page = new_page()
    library = log_in(page, axe, staff)
    expect(library.rows).to_have_text(["There are no resources here yet."])
    resource = library.add_a_resource().add(
        title=AGREEMENT, description="Agree your phased return with your manager.",
        kind="Upload a file", topic=returning.name,
        file={"name": "agreement.pdf", "mimeType": "application/pdf", "buffer": agreement_pdf})
    resource.expect_message(f"“{AGREEMENT}” added to the library.")
    expect(resource.main.locator("#file-details")).to_contain_text("PDF")
    expect(resource.main.get_by_role("link", name="Download agreement.pdf")).to_be_visible()

    resource = resource.back_to_library().add_a_resource().add(
        title=GUIDANCE, description="What employers should offer staff coming back.",
        kind="Link to a web page", topic=returning.name, url=GUIDANCE_URL)
    resource.expect_message(f"“{GUIDANCE}” added to the library.")
    expect(resource.main.get_by_role("link", name=re.compile("^Open the link"))).to_have_attribute(
        "href", GUIDANCE_URL)

    resource = resource.back_to_library().add_a_resource().add(
        title=HANDBOOK, description="Return to work and career conversations for mentors.",
        kind="Upload a file", topic=careers.name, audience="Members of chosen groups",
        groups=("Mentors",),
        file={"name": "handbook.pdf", "mimeType": "application/pdf",
              "buffer": small_pdf("Mentor handbook")})
    resource.expect_message(f"“{HANDBOOK}” added to the library.")
    handbook_url = page.url
    assert re.search(r"/library/\d+$", handbook_url)
    handbook_download = page.get_by_role("link", name="Download handbook.pdf").get_attribute(
        "href")

    # A participant finds the two public resources by search and by topic, and downloads one.
    page = new_page()
    library = log_in(page, axe, participant)
    expect(library.titles).to_have_text([HANDBOOK, GUIDANCE, AGREEMENT])

    library = library.search("agreement")
    expect(library.titles).to_have_text([AGREEMENT])
    library = library.search("employers")
    expect(library.titles).to_have_text([GUIDANCE])
    library = library.search("return to work")
    expect(library.titles).to_have_count(3)
    assert sorted(library.titles.all_inner_texts()) == sorted([AGREEMENT, GUIDANCE, HANDBOOK])

    library = library.search("")
    expect(library.titles).to_have_count(3)
    library = library.filter_by_topic(careers)
    expect(library.titles).to_have_text([HANDBOOK])
    library = library.filter_by_topic(returning)
    expect(library.titles).to_have_text([GUIDANCE, AGREEMENT])

    resource = library.open(AGREEMENT)
    agreement_download = resource.main.get_by_role(
        "link", name="Download agreement.pdf").get_attribute("href")
    expect(resource.main.locator("#download-count")).to_have_text("0")
    with page.expect_download() as download_info:
        resource.main.get_by_role("link", name="Download agreement.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "agreement.pdf"
    with open(download.path(), "rb") as saved:
        assert saved.read() == agreement_pdf
    page.reload()
    resource = ResourcePage(page, axe, heading=AGREEMENT)
    expect(resource.main.locator("#download-count")).to_have_text("1")

    resource = resource.back_to_library().open(GUIDANCE)
    expect(resource.main.get_by_role("link", name=re.compile("^Open the link"))).to_have_attribute(
        "href", GUIDANCE_URL)

    # Someone outside the mentors group neither sees the handbook nor reaches it by address.
    page = new_page()
    library = log_in(page, axe, outsider)
    expect(library.titles).to_have_text([GUIDANCE, AGREEMENT])
    library = library.search("handbook")
    expect(library.rows).to_have_text(
        ["Nothing matches your search. Try fewer words or another filter."])
    for url in (handbook_url, handbook_download):
        response = page.request.get(url)
        assert response.status == 404, (url, response.status)
        assert b"%PDF" not in response.body()
    page.goto(handbook_url)
    PageObject(page, axe, heading="Page not found")
    # What is for everyone signed in still downloads for them.
    response = page.request.get(agreement_download)
    assert response.status == 200
    assert response.body() == agreement_pdf
