"""The one notification centre: every area's notices arrive there, the header count and
marking read with htmx and without, the fixed number of queries at 10 and 100,000 items,
and the one preferences page (locked kinds cannot be switched off; the choice decides
email, site only or nothing)."""
import datetime as dt

import pytest
from playhouse.test_utils import count_queries

from portal import notifications
from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring import services_checkins, services_sessions
from portal.blueprints.mentoring.models import ACTIVE, Relationship
from portal.blueprints.programmes import services_applications as apps
from portal.blueprints.programmes import services_matching
from portal.db import db, utcnow
from portal.notifications import PreferenceChange, UserNotification
from portal.outbox import OutboxMessage
from tests.mentoring_factories import make_pair, release_pair
from tests.pages import Page
from tests.programme_factories import make_rtw, submitted
from tests.webinar_factories import book, cancel, make_session

HX = {"HX-Request": "true"}


@pytest.fixture
def tomorrow() -> dt.date:
    return dt.date.today() + dt.timedelta(days=1)


def centre(client, path="/notifications/") -> list[dict]:
    page = Page(client.get(path))
    return [{"text": li.select_one("a").get_text(" ", strip=True),
             "kind": li.select_one(".tandem-notification__kind").get_text(strip=True),
             "new": li.select_one(".tandem-unread") is not None}
            for li in page.soup.select("#notification-rows li.tandem-notification")]


def emails(app, person) -> list[OutboxMessage]:
    with app.app_context(), db.connection_context():
        return list(OutboxMessage.select().where(OutboxMessage.to_addr == person.email)
                    .order_by(OutboxMessage.id))


def choose(app, person, **choices) -> None:
    with app.app_context(), db.connection_context():
        notifications.set_channels(person.id, choices, "preferences")


def tell(app, person, n=1, kind="application", read=False) -> None:
    with app.app_context(), db.connection_context():
        for i in range(n):
            notifications.notify(person.id, kind, f"Notice {i}", "/dashboard",
                                 f"test:{person.id}:{kind}:{i}")
        if read:
            UserNotification.update(read_at=utcnow()).execute()


@pytest.fixture
def pair(app, make_user):
    """An active pair four weeks in (a check-in is due), in a cohort programme."""
    with app.app_context(), db.connection_context():
        made = make_pair(make_user, "short_virtual")
        started = utcnow() - dt.timedelta(weeks=4)
        Relationship.update(status=ACTIVE, started_at=started, released_at=started).where(
            Relationship.id == made.rel.id).execute()
        made.rel = Relationship.get_by_id(made.rel.id)
    return made


def test_every_area_tells_people_in_the_one_centre(app, client, login, make_user, pair, tomorrow):
    """Session requests, check-ins, webinar offers, applications and matches, each in the
    centre with its kind; switchable emails carry the one-click headers, bookings do not."""
    mentee, mentor = pair.mentee, pair.mentor
    other_mentor = make_user(name="Otto Mentor")
    with app.app_context(), db.connection_context():
        rel = Relationship.get_by_id(pair.rel.id)
        services_sessions.propose(rel, User.get_by_id(mentor.id), tomorrow, dt.time(10), 60,
                                  "telephone", utcnow())
        services_checkins.send_checkins(rel.id, dt.date.today())
        coordinator = User.get_by_id(pair.coordinator.id)
        programme, cohort = make_rtw(coordinator, name="Return to Work")
        apps.accept(coordinator, submitted(User.get_by_id(mentee.id), programme, cohort))
        declined = release_pair(rel.programme, rel.cohort, other_mentor, mentee)
        services_matching.decline(User.get_by_id(mentee.id), declined, "Not the right time")
    session = make_session(app, title="Group supervision", capacity=1)
    book(app, mentor, session)
    book(app, mentee, session)  # waitlisted
    cancel(app, mentor, session)  # the seat is offered to the mentee

    login(mentee)
    assert {(n["kind"], n["text"]) for n in centre(client)} == {
        ("Session requests", "Maya Mentor proposed a mentoring session"),
        ("Check-ins", "How is your mentoring with Maya Mentor going?"),
        ("Your applications", "We have your application to Return to Work"),
        ("Your applications", "You have a place on Return to Work"),
        ("Your matches", "Your Short virtual mentoring match with Otto Mentor will not go "
                         "ahead"),
        ("Free seats on webinars", "A seat is free at “Group supervision”: claim it")}
    assert Page(client.get("/notifications/")).text("#notification-count") == \
        "Notifications 6 new"

    offer = next(e for e in emails(app, mentee) if e.subject.startswith("A seat is free"))
    assert offer.header_dict["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Stop these emails: http://localhost/notifications/unsubscribe/" in offer.body_text
    booked = next(e for e in emails(app, mentor) if e.subject.startswith("You have a place"))
    assert booked.header_dict == {} and "Stop these emails" not in booked.body_text


def test_a_survey_invitation_can_be_sent_by_any_area(app, client, login, make_user):
    person = make_user()
    with app.app_context(), db.connection_context():
        assert notifications.notify(person.id, "survey_invitation",
                                    "Tell us how Return to Work went", "/dashboard",
                                    "survey:1:person")
    login(person)
    assert centre(client) == [{"text": "Tell us how Return to Work went",
                               "kind": "Survey invitations", "new": True}]


def test_site_only_keeps_the_notice_and_drops_the_email_and_off_drops_both(app, client,
                                                                          login, pair, tomorrow):
    choose(app, pair.mentee, session_request="site")
    choose(app, pair.mentor, session_request="off")
    with app.app_context(), db.connection_context():
        rel = Relationship.get_by_id(pair.rel.id)
        first = services_sessions.propose(rel, User.get_by_id(pair.mentor.id), tomorrow,
                                          dt.time(10), 60, "telephone", utcnow())
        services_sessions.decline(rel, User.get_by_id(pair.mentee.id), first.id, utcnow())
    assert emails(app, pair.mentee) == [] and emails(app, pair.mentor) == []
    login(pair.mentee)
    assert [n["text"] for n in centre(client)] == ["Maya Mentor proposed a mentoring session"]
    login(pair.mentor)
    assert centre(client) == []


def test_the_header_count_and_marking_read_with_htmx(app, client, login, make_user,
                                                     csrf_token):
    person = make_user()
    tell(app, person, 3)
    login(person)
    fragment = client.get("/notifications/count", headers=HX)
    assert not Page(fragment).is_full_page
    assert Page(fragment).text("#notification-count") == "Notifications 3 new"
    assert fragment.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in fragment.headers["Vary"]

    page = Page(client.get("/notifications/"))
    item_id = page.soup.select_one("li.tandem-notification")["id"].removeprefix("notification-")
    one = client.post(f"/notifications/{item_id}/read", headers=HX,
                      data={"csrf_token": csrf_token})
    row = Page(one)
    assert not row.is_full_page and row.soup.select(".tandem-unread") == []
    assert one.headers["HX-Trigger"] == "notifications-read"  # the header count refreshes
    assert Page(client.get("/notifications/count", headers=HX)).text(
        "#notification-count") == "Notifications 2 new"

    everything = client.post("/notifications/read", headers=HX,
                             data={"csrf_token": csrf_token})
    assert everything.headers["HX-Trigger"] == "notifications-read"
    assert Page(everything).flashes() == ["All your notifications are marked as read."]
    assert Page(client.get("/notifications/count", headers=HX)).text(
        "#notification-count") == "Notifications"


def test_marking_read_without_javascript(app, client, login, make_user, csrf_token):
    person = make_user()
    tell(app, person, 2)
    login(person)
    item_id = Page(client.get("/notifications/")).soup.select_one(
        "li.tandem-notification form")["action"].split("/")[2]
    response = client.post(f"/notifications/{item_id}/read", data={"csrf_token": csrf_token})
    assert (response.status_code, response.headers["Location"]) == (303, "/notifications/")
    assert [n["new"] for n in centre(client)] == [False, True]  # the newest was first
    assert Page(client.get("/notifications/")).flashes() == []  # shown once, on the redirect
    response = client.post("/notifications/read", data={"csrf_token": csrf_token})
    assert response.status_code == 303
    assert [n["new"] for n in centre(client)] == [False, False]
    assert client.post("/notifications/read").status_code == 400  # no CSRF token


def test_following_an_item_marks_it_read_and_goes_where_it_points(app, client, login,
                                                                  make_user, csrf_token):
    person, other = make_user(), make_user()
    tell(app, person)
    tell(app, other)
    login(person)
    mine = Page(client.get("/notifications/")).soup.select_one("#notification-rows a")["href"]
    response = client.get(mine)
    assert (response.status_code, response.headers["Location"]) == (303, "/dashboard")
    assert centre(client)[0]["new"] is False
    with app.app_context(), db.connection_context():
        theirs = UserNotification.get(UserNotification.user == other.id).id
    assert client.get(f"/notifications/{theirs}").status_code == 404
    assert client.post(f"/notifications/{theirs}/read",
                       data={"csrf_token": csrf_token}).status_code == 404


def test_signed_out(client):
    assert client.get("/notifications/count", headers=HX).status_code == 286  # stop polling
    response = client.get("/notifications/")
    assert response.status_code == 303 and "/accounts/login" in response.headers["Location"]
    fragment = client.get("/notifications/", headers=HX)
    assert fragment.status_code == 401 and "/accounts/login" in fragment.headers["HX-Redirect"]


def test_older_notifications_page_by_page(app, client, login, make_user):
    person = make_user()
    tell(app, person, 35)
    login(person)
    page = Page(client.get("/notifications/"))
    assert len(page.soup.select("li.tandem-notification")) == 30
    more = page.soup.select_one("#more-notifications a")
    rest = Page(client.get(more["hx-get"], headers=HX))
    assert not rest.is_full_page and len(rest.soup.select("li.tandem-notification")) == 5
    assert len(Page(client.get(more["href"])).soup.select("li.tandem-notification")) == 5


def _fill(app, person, total: int) -> None:
    """`total` items for the person, unread, a fifth of them about board posts."""
    with app.app_context(), db.connection_context():
        start = UserNotification.select().count()
        rows = [{"user": person.id, "kind": "board_reply" if n % 5 == 0 else "application",
                 "text": f"Notice {n}", "url": "/dashboard", "key": f"fill:{start + n}",
                 "subject_type": "board_post" if n % 5 == 0 else "", "subject_id": n,
                 "created_at": dt.datetime(2026, 1, 1) + dt.timedelta(seconds=n)}
                for n in range(start, start + total)]
        for first in range(0, len(rows), 1000):
            UserNotification.insert_many(rows[first:first + 1000]).execute()


def _measure(client) -> tuple[dict, dict]:
    pages = {"centre": "/notifications/", "count": "/notifications/count",
             "preferences": "/notifications/preferences"}
    counts, shown = {}, {}
    for name, url in pages.items():
        client.get(url)
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        counts[name] = counter.count
        shown[name] = (len(Page(response).soup.select("li.tandem-notification")),
                       Page(response).text("#notification-count"))
    return counts, shown


@pytest.mark.long
def test_the_header_count_and_the_centre_issue_the_same_queries_at_10_and_100000(
        app, client, login, make_user):
    person = make_user()
    _fill(app, person, 10)
    login(person)
    few_counts, few_shown = _measure(client)
    _fill(app, person, 99_990)
    many_counts, many_shown = _measure(client)
    assert many_counts == few_counts
    assert few_shown["centre"] == (8, "Notifications 8 new")  # posts since deleted: hidden
    assert many_shown["centre"] == (30, "Notifications 99+ new")
    assert many_shown["count"] == (0, "Notifications 99+ new")


def test_the_preferences_page(app, client, login, make_user, csrf_token):
    person = make_user()
    login(person)
    page = Page(client.get("/notifications/preferences"))
    assert page.heading() == "Notification preferences"
    assert page.texts("legend") == [t.label for t in notifications.TYPES
                                    if not t.locked and not t.staff_only]
    assert page.texts("dt") == ["Account security", "Messages about your account", "Bookings"]
    assert page.soup.find(id="board_mention-1")["value"] == "digest"  # one email a day
    assert page.soup.find(id="application-1")["value"] == "site"  # no daily summary here
    checked = {i["name"]: i["value"] for i in page.soup.select("input[checked]")}
    assert checked["newsletter"] == "site" and checked["match"] == "email"

    form = {**checked, "newsletter": "email", "match": "off", "csrf_token": csrf_token}
    assert client.post("/notifications/preferences", data=form).status_code == 303
    saved = Page(client.get("/notifications/preferences"))
    assert saved.flashes() == ["Your notification preferences have been saved."]
    with app.app_context(), db.connection_context():
        assert [(c.kind, c.previous, c.channel, c.source) for c in PreferenceChange.select()
                .order_by(PreferenceChange.kind)] == [
            ("match", "email", "off", "preferences"),
            ("newsletter", "site", "email", "preferences")]

    refused = client.post("/notifications/preferences", data={
        **form, "account_security": "off", "match": "sometimes"})
    assert refused.status_code == 422
    assert Page(refused).error_summary() == ["Not a valid choice."]
    with app.app_context(), db.connection_context():
        assert notifications.channel_for(person.id, "account_security") == "email"
        assert notifications.channel_for(person.id, "match") == "off"


def test_staff_are_offered_the_staff_kinds(client, login, make_user):
    login(make_user(role="staff"))
    legends = Page(client.get("/notifications/preferences")).texts("legend")
    assert {"Calls for help from pairs", "Review reminders"} <= set(legends)


def test_registering_records_the_newsletter_consent_with_its_date(app, client, csrf_token):
    for email, ticked in (("yes@example.org", True), ("no@example.org", False)):
        data = {"name": "New Person", "email": email, "password": "correct horse battery",
                "confirm": "correct horse battery", "csrf_token": csrf_token}
        client.post("/accounts/register", data=data | ({"newsletter": "y"} if ticked else {}))
    with app.app_context(), db.connection_context():
        yes, no = User.by_email("yes@example.org"), User.by_email("no@example.org")
        assert notifications.channel_for(yes.id, "newsletter") == "email"
        assert notifications.channel_for(no.id, "newsletter") == "site"
        [consent] = PreferenceChange.select()
        assert (consent.user_id, consent.channel, consent.source) == (
            yes.id, "email", "registration")
        assert consent.created_at > utcnow() - dt.timedelta(minutes=1)
