"""The newsletter: staff compose an issue from Tandem's suggestions, preview it as a chosen
recipient, and send it now or later; each copy leaves out what its reader may not see (by
the areas' own rule); sending goes through the outbox in batches, once per person; past
issues are on the site for the people they were sent to; the segments."""
import datetime as dt
from types import SimpleNamespace

import pytest

from portal import audience, notifications
from portal.blueprints.accounts.models import User
from portal.blueprints.boards import services as boards
from portal.blueprints.boards.models import Board, Thread
from portal.blueprints.hub.models import Article
from portal.blueprints.library.models import Resource
from portal.blueprints.newsletter import blocks, segments, services
from portal.blueprints.newsletter.models import (
    NewsletterDelivery,
    NewsletterIssue,
)
from portal.blueprints.programmes import services as programmes
from portal.blueprints.programmes import services_applications as apps
from portal.blueprints.programmes.models import MENTOR, Programme
from portal.blueprints.webinars.models import WebinarSession
from portal.db import db, utcnow
from portal.groups import Group, GroupMembership
from portal.notifications import UserNotification
from portal.outbox import OutboxMessage
from tests.pages import Page
from tests.programme_factories import RTW_ROLES, make_rtw, programme_details, submitted
from tests.webinar_factories import make_session

HX = {"HX-Request": "true"}


@pytest.fixture
def world(app, make_user, make_article):
    """Staff; a cohort with a mentee and a mentor; a member outside it; an article for the
    cohort only, one for everyone and one for staff; a cohort webinar; a busy thread on a
    board for everyone. Everyone but the staff member has asked for the newsletter by
    email."""
    w = SimpleNamespace(staff=make_user(role="staff", name="Sam Staff"),
                        mentee=make_user(name="Ella Mentee"),
                        mentor=make_user(name="Milo Mentor"),
                        member=make_user(name="Omar Member"))
    with app.app_context(), db.connection_context():
        staff = User.get_by_id(w.staff.id)
        w.programme, w.cohort = make_rtw(staff)
        for person, role in ((w.mentee, "mentee"), (w.mentor, MENTOR)):
            apps.accept(staff, submitted(User.get_by_id(person.id), w.programme, w.cohort,
                                         role))
        for person in (w.mentee, w.mentor, w.member):
            notifications.set_channels(person.id, {"newsletter": "email"}, "preferences")
    w.cohort_article = make_article(title="Cohort news", summary="Only for the cohort.",
                                    audience_value=audience.GROUPS,
                                    group_ids=[w.cohort.everyone_group_id])
    w.open_article = make_article(title="Phased returns", summary="For everyone.")
    w.staff_article = make_article(title="Staff handbook", audience_value=audience.STAFF)
    w.webinar = make_session(app, title="Cohort supervision", audience_value=audience.GROUPS,
                             group_ids=[w.cohort.mentors_group_id])
    with app.app_context(), db.connection_context():
        w.resource = Resource.create(title="Leave checklist", kind="link",
                                     url="https://example.org/checklist",
                                     description="What to sort before you go.")
        board = boards.save_board(User.get_by_id(w.staff.id), None, name="General",
                                  description="", audience_value=audience.SIGNED_IN,
                                  group_ids=[], position=0)
        post = boards.start_thread(User.get_by_id(w.member.id), board, "Rotas after leave",
                                   "How did you manage?")
        for n in range(3):
            boards.reply(User.get_by_id(w.mentee.id), post.thread, f"Like this {n}")
        w.thread = Thread.get_by_id(post.thread_id)
    return w


def draft(app, w, chosen, segment="everyone", subject="June news") -> NewsletterIssue:
    with app.app_context(), db.connection_context():
        return services.save_issue(User.get_by_id(w.staff.id), None, subject=subject,
                                   intro="## Hello\n\nThe news for June.", segment=segment,
                                   chosen=chosen)


def send_now(app, w, issue) -> None:
    with app.app_context(), db.connection_context():
        services.schedule(User.get_by_id(w.staff.id), issue, None)


def emails(app, subject) -> dict[str, OutboxMessage]:
    with app.app_context(), db.connection_context():
        return {m.to_addr: m for m in OutboxMessage.select().where(
            OutboxMessage.subject == subject)}


def form_fields(page: Page) -> dict:
    """What the browser would send: every field's value, ticked boxes only."""
    data = {}
    for element in page.soup.select("form[method=post] input, form[method=post] textarea, "
                                    "form[method=post] select"):
        name = element.get("name")
        if not name or (element.get("type") == "checkbox" and not element.has_attr("checked")):
            continue
        if element.name == "select":
            chosen = element.find("option", selected=True)
            data[name] = chosen["value"] if chosen else ""
        elif element.name == "textarea":
            data[name] = element.get_text()
        else:
            data[name] = element.get("value", "")
    return data


def test_staff_compose_an_issue_from_the_suggestions_and_preview_it_as_a_recipient(
        app, client, login, world, csrf_token):
    w = world
    login(w.staff)
    page = Page(client.get("/newsletter/manage/new"))
    assert page.heading() == "New issue"
    offered = {r["Block"]: r["Who may see it"] for r in page.table("#block-choices")}
    assert offered["Knowledge hub: Cohort news"].startswith("Members of Return to Work")
    assert offered["Knowledge hub: Phased returns"] == "Anyone signed in"
    assert offered["Knowledge hub: Staff handbook"] == "Staff only"
    assert offered["On the boards: Rotas after leave 4 new posts"] == "Anyone signed in"
    assert offered["Library: Leave checklist"] == "Anyone signed in"
    [webinar] = [b for b in offered if b.startswith("Webinar: Cohort supervision ")]
    assert offered[webinar].endswith(": mentors")  # the cohort's mentors group

    fields = form_fields(page) | {
        "subject": "June news", "intro": "The news for **June**.", "segment": "everyone",
        f"include_article_{w.open_article.id}": "y", f"position_article_{w.open_article.id}": "2",
        f"include_article_{w.cohort_article.id}": "y",
        f"position_article_{w.cohort_article.id}": "1",
        f"include_thread_{w.thread.id}": "y", "csrf_token": csrf_token}
    saved = client.post("/newsletter/manage/new", data=fields)
    assert saved.status_code == 303
    issue_page = Page(client.get(saved.headers["Location"]))
    assert issue_page.flashes() == ["The issue has been saved."]
    assert [b.split(" (")[0] for b in issue_page.texts("#issue-blocks li")] == [
        "Knowledge hub: Cohort news", "Knowledge hub: Phased returns",
        "On the boards: Rotas after leave"]

    base = saved.headers["Location"]
    as_mentee = Page(client.get(f"{base}/preview", query_string={"email": w.mentee.email}))
    assert as_mentee.heading() == "Preview as Ella Mentee"
    assert as_mentee.texts("#left-out li") == ["Nothing: Ella Mentee may see every block."]
    copy = as_mentee.text("#email-copy")
    assert "Knowledge hub: Cohort news" in copy and "Phased returns" in copy
    assert copy.index("Cohort news") < copy.index("Phased returns") < copy.index("Rotas")
    as_member = Page(client.get(f"{base}/preview", query_string={"email": w.member.email}))
    assert as_member.texts("#left-out li") == ["Knowledge hub: Cohort news"]
    assert "Cohort news" not in as_member.text("#email-copy")
    unknown = client.get(f"{base}/preview", query_string={"email": "nobody@example.org"})
    assert unknown.status_code == 422
    assert Page(unknown).error_summary() == ["There is no account with that email address"]

    refused = client.post("/newsletter/manage/new", data=fields | {
        "subject": "", f"position_article_{w.open_article.id}": "100"})
    assert refused.status_code == 422
    assert Page(refused).error_summary() == ["Enter a subject", "Enter a position from 1 to 99"]


def test_each_copy_leaves_out_exactly_what_the_areas_would_not_show_its_reader(app, world,
                                                                              make_user):
    """For every block and person, the copy agrees with the area's own visible_to."""
    w = world
    outsider_staff = make_user(role="admin")
    people = [w.staff, w.mentee, w.mentor, w.member, outsider_staff]
    with app.app_context(), db.connection_context():
        hidden_board = boards.save_board(
            User.get_by_id(w.staff.id), None, name="Mentors", description="",
            audience_value=audience.GROUPS, group_ids=[w.cohort.mentors_group_id], position=1)
        hidden = boards.start_thread(User.get_by_id(w.mentor.id), hidden_board, "Mentor talk",
                                     "Just us")
        chosen = blocks.load([("article", w.cohort_article.id), ("article", w.open_article.id),
                              ("article", w.staff_article.id), ("webinar", w.webinar.id),
                              ("resource", w.resource.id), ("thread", w.thread.id),
                              ("thread", hidden.thread_id)], utcnow())
        assert len(chosen) == 7
        allowed = blocks.allowed(chosen, [p.id for p in people])
        readers = {Article: Article.visible_to, WebinarSession: WebinarSession.visible_to,
                   Resource: Resource.visible_to, Board: Thread.visible_to}
        for block, who in zip(chosen, allowed, strict=True):
            for person in people:
                user = User.get_by_id(person.id)
                model = Thread if block.model is Board else block.model
                sees = readers[block.model](user).where(model.id == block.object_id).exists()
                assert (person.id in who) == sees, (block.title, user.name)
        assert {b.title for b, who in zip(chosen, allowed, strict=True)
                if w.member.id not in who} == {"Cohort news", "Staff handbook",
                                               "Cohort supervision", "Mentor talk"}


def test_a_block_taken_down_since_it_was_chosen_goes_to_nobody(app, world):
    w = world
    with app.app_context(), db.connection_context():
        Article.update(status="archived").where(Article.id == w.open_article.id).execute()
        Thread.update(hidden=True).where(Thread.id == w.thread.id).execute()
        WebinarSession.update(status="cancelled").where(
            WebinarSession.id == w.webinar.id).execute()
        chosen = [("article", w.open_article.id), ("thread", w.thread.id),
                  ("webinar", w.webinar.id), ("resource", w.resource.id)]
        assert [b.title for b in blocks.load(chosen, utcnow())] == ["Leave checklist"]


def test_sending_goes_through_the_outbox_in_batches_once_per_person(app, world, make_user,
                                                                   monkeypatch):
    w = world
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    site_only, switched_off = make_user(name="Sita Site"), make_user(name="Otis Off")
    with app.app_context(), db.connection_context():
        notifications.set_channels(switched_off.id, {"newsletter": "off"}, "preferences")
    issue = draft(app, w, [("article", w.cohort_article.id), ("article", w.open_article.id)])
    send_now(app, w, issue)  # immediate mode: the jobs run as they are rung

    sent = emails(app, "June news")
    assert set(sent) == {w.mentee.email, w.mentor.email, w.member.email}
    assert "Cohort news" in sent[w.mentee.email].body_text
    assert "Cohort news" not in sent[w.member.email].body_text
    assert "Phased returns" in sent[w.member.email].body_text
    assert sent[w.member.email].key == f"newsletter:{issue.id}:{w.member.id}"
    assert sent[w.member.email].header_dict["List-Unsubscribe"].startswith(
        "<http://localhost/notifications/one-click/")
    assert {m.status for m in sent.values()} == {"sent"}
    with app.app_context(), db.connection_context():
        issue = NewsletterIssue.get_by_id(issue.id)
        assert (issue.status, issue.recipient_count) == ("sent", 7)  # + hub author, staff
        statuses = {d.user_id: d.status for d in NewsletterDelivery.select()}
        assert statuses[site_only.id] == "site" and statuses[switched_off.id] == "skipped"
        assert statuses[w.staff.id] == "site"
        told = {n.user_id for n in UserNotification.select().where(
            UserNotification.kind == "newsletter")}
        assert site_only.id in told and switched_off.id not in told

        # Every batch again, and the start again: nothing new goes anywhere.
        for first, last in ((d.id, d.id) for d in NewsletterDelivery.select()):
            NewsletterDelivery.update(status="pending").where(
                NewsletterDelivery.id == first).execute()
            NewsletterIssue.update(status="sending").where(
                NewsletterIssue.id == issue.id).execute()
            services.send_batch(issue.id, first, last)
        assert services.start_sending(issue.id) == []

        # A batch whose job was lost is found by the sweep once it has waited too long.
        lost = NewsletterDelivery.get(NewsletterDelivery.user == w.member.id)
        (NewsletterDelivery.update(status="pending", created_at=utcnow() - dt.timedelta(hours=1))
         .where(NewsletterDelivery.id == lost.id).execute())
        NewsletterIssue.update(status="sending").where(NewsletterIssue.id == issue.id).execute()
        assert services.stalled_batches(utcnow()) == [(issue.id, lost.id, lost.id)]
        services.send_batch(issue.id, lost.id, lost.id)
        assert services.stalled_batches(utcnow()) == []
        assert NewsletterIssue.get_by_id(issue.id).status == "sent"
        assert OutboxMessage.select().where(OutboxMessage.subject == "June news").count() == 3
        assert UserNotification.select().where(
            UserNotification.kind == "newsletter").count() == 6


def test_an_issue_set_for_later_waits_and_can_go_back_to_a_draft(app, client, login, world,
                                                                 csrf_token):
    w = world
    issue = draft(app, w, [("article", w.open_article.id)])
    login(w.staff)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    past = client.post(f"/newsletter/manage/{issue.id}/send", data={
        "when": "later", "day": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "start_time": "09:00", "csrf_token": csrf_token})
    assert past.status_code == 422
    assert Page(past).error_summary() == ["Choose a time in the future, or send it now."]
    missing = client.post(f"/newsletter/manage/{issue.id}/send", data={
        "when": "later", "csrf_token": csrf_token})
    assert Page(missing).error_summary() == ["Enter the date to send it, like 2027-03-29",
                                             "Enter the time to send it, like 09:00"]
    later = client.post(f"/newsletter/manage/{issue.id}/send", data={
        "when": "later", "day": tomorrow.isoformat(), "start_time": "09:00",
        "csrf_token": csrf_token})
    assert later.status_code == 303
    page = Page(client.get(later.headers["Location"]))
    assert page.flashes()[0].startswith("The issue will be sent on ")
    assert client.get(f"/newsletter/manage/{issue.id}/edit").status_code == 303
    assert emails(app, "June news") == {}
    with app.app_context(), db.connection_context():
        assert services.due_issues(utcnow()) == [] and services.start_sending(issue.id) == []
        when = utcnow() + dt.timedelta(days=2)
        assert services.due_issues(when) == [issue.id]

    form = page.soup.select_one(f"form[action='/newsletter/manage/{issue.id}/unschedule']")
    assert client.post(form["action"], data={"csrf_token": csrf_token}).status_code == 303
    with app.app_context(), db.connection_context():
        assert NewsletterIssue.get_by_id(issue.id).status == "draft"
        assert services.due_issues(when) == []


def test_past_issues_are_on_the_site_for_the_people_they_were_sent_to(app, client, login,
                                                                      world, make_user):
    w = world
    issue = draft(app, w, [("article", w.cohort_article.id), ("article", w.open_article.id)],
                  segment=f"cohort:{w.cohort.id}")
    send_now(app, w, issue)
    login(w.mentee)
    listed = Page(client.get("/newsletter/"))
    assert listed.texts("#newsletter-rows h2") == ["June news"]
    copy = Page(client.get(f"/newsletter/{issue.id}"))
    assert copy.heading() == "June news"
    assert copy.texts("#newsletter-blocks h2") == ["Cohort news", "Phased returns"]
    assert copy.text(".tandem-article-body h2") == "Hello"  # the intro's Markdown
    login(w.member)  # not in the cohort
    assert Page(client.get("/newsletter/")).texts("#newsletter-rows li") == [
        "No newsletters have been sent to you yet."]
    assert client.get(f"/newsletter/{issue.id}").status_code == 404
    login(w.staff)
    assert client.get(f"/newsletter/{issue.id}").status_code == 200
    unsent = draft(app, w, [], subject="Not yet")
    assert client.get(f"/newsletter/{unsent.id}").status_code == 404


def test_segments(app, world, make_user):
    w = world
    expert = make_user(name="Eve Expert")
    unconfirmed = make_user(name="Una Unconfirmed", verified=False)
    with app.app_context(), db.connection_context():
        aces = programmes.save_programme(User.get_by_id(w.staff.id), None, programme_details(
            name="Aces", kind="open"), RTW_ROLES)
        GroupMembership.create(group=aces.mentors_group_id, user=expert.id)
        group = Group.create(name="Readers")
        GroupMembership.create(group=group, user=w.member.id)
        GroupMembership.create(group=group, user=unconfirmed.id)

        def members(value):
            kind, segment_id = segments.parse(value)
            return {u.name for u in User.select().where(segments.members(kind, segment_id))}

        assert members(f"mentors:{w.programme.id}") == {"Milo Mentor"}
        assert members(f"mentors:{aces.id}") == {"Eve Expert"}
        assert members(f"cohort:{w.cohort.id}") == {"Ella Mentee", "Milo Mentor"}
        assert members(f"group:{group.id}") == {"Omar Member"}  # confirmed addresses only
        assert "Una Unconfirmed" not in members("everyone")
        labels = dict(segments.choices())
        assert labels[f"mentors:{aces.id}"] == "Aces: all mentors"
        assert labels[f"cohort:{w.cohort.id}"] == "Return to Work, 2027: everyone in the cohort"
        with pytest.raises(ValueError):
            segments.parse("cohort:x")
        assert Programme.get_by_id(aces.id).cohort_list().count() == 0


def test_only_staff_manage_the_newsletter(app, client, login, world):
    w = world
    issue = draft(app, w, [])
    assert client.get("/newsletter/manage").status_code == 303  # to log in
    login(w.member)
    for url in ("/newsletter/manage", "/newsletter/manage/new", f"/newsletter/manage/{issue.id}",
                f"/newsletter/manage/{issue.id}/preview?email={w.member.email}"):
        assert client.get(url).status_code == 403, url
    assert client.get("/newsletter/manage/999").status_code == 403
    login(w.staff)
    assert client.get("/newsletter/manage/999").status_code == 404
    assert Page(client.get("/newsletter/manage")).table()[0]["Subject"] == "June news"
