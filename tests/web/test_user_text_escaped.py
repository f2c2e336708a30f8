"""Every page that shows what people typed, rendered with markup in every such field: a
person's profile, a group's name, a board's name, a thread's title, an article's title and
a webinar's title. Each field holds an element with class "planted"; on no page may one
become an element, and each page shows the person's name as the text they typed."""
import pytest
from bs4 import BeautifulSoup

from portal import audience, reports
from portal.blueprints.accounts import services as accounts
from portal.blueprints.accounts.models import User
from portal.blueprints.boards import services as boards
from portal.blueprints.hub import services as hub
from portal.db import db
from tests.webinar_factories import book, make_session


def planted(field: str) -> str:
    return f'<b class="planted" hx-get="/accounts/logout">{field}</b>'


PROFILE = {"name": planted("name"), "organisation": planted("organisation"),
           "team": planted("team"), "manager_email": "",
           "job_title": planted("job title"), "staff_group": "", "pay_band": "", "region": "",
           "bio": planted("bio"), "specialisms": planted("specialism")}
PAGES = ["/", "/dashboard", "/accounts/profile", "/accounts/profile/edit", "/staff/",
         "/staff/people", "/staff/people?q=planted", "/staff/people/{person}", "/staff/audit",
         "/staff/moderation", "/staff/groups", "/staff/groups/{group}", "/boards/",
         "/boards/{board}", "/boards/{board}/people?q=%3Cb", "/boards/threads/{thread}",
         "/boards/search?q=hello", "/hub/", "/hub/articles/{article}", "/hub/search?q=useful",
         "/webinars/", "/webinars/sessions/{session}",
         "/webinars/manage/sessions/{session}/people", "/library/"]


@pytest.fixture
def planted_everywhere(app, client, csrf_token, login, make_user, make_article):
    """A staff member with markup in every profile field, who posted, commented, booked a
    seat, changed someone's role and belongs to a group, all named with markup; logged in."""
    person = make_user(role="staff", email="pat.person@example.nhs.uk")
    other = make_user(email="rita.reader@example.nhs.uk")
    article = make_article(title=planted("article"), summary=planted("summary"))
    session = make_session(app, title=planted("webinar"), facilitator=planted("facilitator"))
    book(app, person, session)
    with app.app_context(), db.connection_context():
        accounts.update_profile(person, PROFILE, [])
        author = User.get_by_id(person.id)
        board = boards.save_board(author, None, name=planted("board"),
                                  description=planted("board description"),
                                  audience_value=audience.SIGNED_IN, group_ids=[], position=0)
        post = boards.start_thread(author, board, planted("thread"), "Hello, I am new here.")
        hub.add_comment(author, article, "Useful, thank you.")
        reports.file_report(User.get_by_id(other.id), reports.POST, post.id, "spam", "")
        accounts.change_role(author, User.get_by_id(other.id), "moderator")
    login(person)
    response = client.post("/staff/groups/new", data={
        "name": planted("group"), "description": planted("group description"),
        "csrf_token": csrf_token})
    assert response.status_code == 303
    group = int(response.headers["Location"].rstrip("/").split("/")[-1])
    response = client.post(f"/staff/groups/{group}/members",
                           data={"email": person.email, "csrf_token": csrf_token})
    assert response.status_code == 303
    return {"person": person.id, "group": group, "board": board.slug,
            "thread": post.thread_id, "article": article.slug, "session": session.id}


@pytest.mark.parametrize("path", PAGES)
def test_text_people_typed_is_never_markup(client, planted_everywhere, path):
    response = client.get(path.format(**planted_everywhere))
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert [str(element) for element in soup.select(".planted")] == []
    account = soup.select_one(".nhsuk-header__account-link")
    assert account.get_text(strip=True) == PROFILE["name"]
