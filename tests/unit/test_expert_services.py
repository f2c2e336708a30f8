"""The expert directory's services with the clock moved: who is listed, introductions and
their answers, lapsing, and activity checks (no answer hides an expert after M days,
"pause me" hides them until the date, every answer link works once)."""
import datetime as dt

import pytest
from peewee import fn

from portal import settings
from portal.blueprints.experts import (
    directory,
    notices,
    people_data,
    services_checks,
    services_experts,
)
from portal.blueprints.experts import services_introductions as intros
from portal.blueprints.experts.models import (
    ACCEPTED_REQUEST,
    DECLINED,
    EXPIRED,
    ActivityCheck,
    Expert,
    IntroductionRequest,
)
from portal.blueprints.mentoring import services_goals
from portal.blueprints.mentoring.models import RELEASED, Goal, Note, Relationship
from portal.blueprints.programmes import services_applications as applications
from portal.blueprints.programmes.models import Application, Programme
from portal.db import db, utcnow
from portal.outbox import OutboxMessage
from portal.people_data.erase import erase_account
from portal.signed_links import LinkProblem
from tests.expert_factories import make_aces, make_expert


@pytest.fixture
def now() -> dt.datetime:
    return utcnow()


@pytest.fixture
def today(now) -> dt.date:
    return now.date()


@pytest.fixture
def ctx(app):
    with app.app_context(), db.connection_context():
        yield


@pytest.fixture
def world(ctx, make_user):
    aces = make_aces(make_user(role="staff", name="Olu Organiser"))
    people = {name: make_user(name=name) for name in ("Ann Expert", "Bob Expert", "Lee Learner")}
    return aces, people


def listed_names(now=None) -> list[str]:
    return [e.user.name for e in directory.search("", "", None, now or utcnow()).experts]


def expert(world, name="Ann Expert", **kw) -> Expert:
    aces, people = world
    return make_expert(aces, people[name], **kw)


def item_ids(world, *texts) -> list[int]:
    return [world[0].items[t].id for t in texts]


def test_only_accepted_inducted_complete_available_experts_are_listed(world, make_user):
    aces, people = world
    ann = expert(world)
    make_expert(aces, make_user(name="Nia Not Inducted"), inducted=False)
    withdrawn = make_expert(aces, make_user(name="Wes Withdrawn"))
    applications.withdraw(withdrawn.user, Application.get(Application.applicant == withdrawn.user))
    off = make_expert(aces, make_user(name="Otto Off"))
    services_experts.take_off_list(off)
    assert listed_names() == ["Ann Expert"]
    services_experts.save_profile(people["Ann Expert"], aces.programme.id, services_experts.Profile(
        bio=ann.bio, capacity=1, specialism_ids=[aces.specialisms["Spreadsheets"].id]))
    assert listed_names() == ["Ann Expert"]
    with pytest.raises(services_experts.ExpertRefused, match="bio of at least"):
        services_experts.save_profile(people["Ann Expert"], aces.programme.id,
                                      services_experts.Profile("Too short", 1, [1]))
    with pytest.raises(services_experts.ExpertRefused, match="accepted as experts"):
        services_experts.save_profile(people["Lee Learner"], aces.programme.id,
                                      services_experts.Profile(ann.bio, 1, [1]))


def test_a_full_expert_is_not_listed_until_a_place_frees(world, now):
    aces, people = world
    ann = expert(world, capacity=1)
    rel = Relationship.create(programme=aces.programme, mentor=people["Ann Expert"],
                              mentee=people["Lee Learner"], status=RELEASED, released_at=now)
    assert listed_names() == []
    Relationship.update(status="closed").where(Relationship.id == rel.id).execute()
    assert listed_names() == ["Ann Expert"]
    assert ann.id


def test_search_by_words_and_specialism(world, now):
    aces, _ = world
    expert(world, "Ann Expert", specialisms=("Building a budget",))
    expert(world, "Bob Expert", specialisms=("Spreadsheets",), bio="Pivot tables are my joy "
                                                                    "and I teach them weekly.")

    def found(q="", specialism=""):
        return [e.user.name for e in directory.search(q, specialism, None, now).experts]

    assert found("budget") == ["Ann Expert"]  # a specialism's name
    assert found("finance") == ["Ann Expert"]  # its area
    assert found("variance") == ["Ann Expert"]  # one of its items
    assert found("pivot joy") == ["Bob Expert"]  # every word, anywhere
    assert found("bob") == ["Bob Expert"]  # a name
    assert found("budget pivot") == []
    assert found(specialism=aces.specialisms["Spreadsheets"].slug) == ["Bob Expert"]
    assert found("budget", aces.specialisms["Spreadsheets"].slug) == []


# Introductions -------------------------------------------------------------------------------

def ask(world, experts, items, wants="I want to read my budget statement", now=None):
    return intros.ask(world[1]["Lee Learner"], intros.Ask([e.id for e in experts], items, wants),
                      now=now or utcnow())


def test_asking_several_experts_sends_each_their_items_and_links(world, sent_emails):
    ann = expert(world, "Ann Expert", specialisms=("Building a budget",))
    bob = expert(world, "Bob Expert", specialisms=("Building a budget", "Spreadsheets"))
    items = item_ids(world, "reading a budget statement", "pivot tables")
    introduction = ask(world, [ann, bob], items)
    rows = {r.expert_id: r for r in introduction.requests}
    assert {e.text for e in intros.RequestItem.by_request([rows[ann.id].id])[rows[ann.id].id]} \
        == {"reading a budget statement"}
    assert len(intros.RequestItem.by_request([rows[bob.id].id])[rows[bob.id].id]) == 2
    for person in (ann.user, bob.user):
        (email,) = [m for m in sent_emails(person.email) if "asks for your help" in m.subject]
        assert email.subject == "Lee Learner asks for your help (Aces volunteer experts)"
        assert "I want to read my budget statement" in email.body_text
        assert "/experts/answer/" in email.body_text
    expires = rows[ann.id].expires_at - rows[ann.id].created_at
    assert expires == dt.timedelta(days=settings.get("expert_request_days"))


@pytest.mark.parametrize("change, message", [
    (lambda w, e: {"items": []}, "Tick at least one thing"),
    (lambda w, e: {"wants": "budgets"}, "at least 3 words"),
    (lambda w, e: {"items": item_ids(w, "pivot tables")}, "does not pass on any"),
    (lambda w, e: {"experts": []}, "Choose at least one expert"),
])
def test_a_request_that_cannot_go_says_why(world, change, message):
    ann = expert(world)
    values = {"experts": [ann], "items": item_ids(world, "forecasting spend for a year"),
              "wants": "I want to learn"}
    values.update(change(world, ann))
    with pytest.raises(intros.IntroductionRefused, match=message):
        ask(world, values["experts"], values["items"], values["wants"])


def test_nobody_asks_themselves_an_unlisted_expert_or_the_same_expert_twice(world, today):
    aces, people = world
    ann = expert(world)
    items = item_ids(world, "forecasting spend for a year")
    with pytest.raises(intros.IntroductionRefused, match="yourself"):
        intros.ask(people["Ann Expert"], intros.Ask([ann.id], items, "I want to learn it"))
    ask(world, [ann], items)
    with pytest.raises(intros.IntroductionRefused, match="wait for their answer"):
        ask(world, [ann], items)
    services_experts.pause(ann, today + dt.timedelta(days=5), today)
    with pytest.raises(intros.IntroductionRefused, match="not taking requests"):
        ask(world, [ann], items)


def test_accepting_opens_the_pair_space_with_the_ticked_items_as_goals(world, sent_emails, now):
    aces, people = world
    ann = expert(world)
    items = item_ids(world, "reading a budget statement", "forecasting spend for a year")
    row = ask(world, [ann], items, now=now - dt.timedelta(hours=5)).requests.get()
    accepted = intros.accept(row.id, now=now)
    rel = Relationship.get_by_id(accepted.relationship_id)
    assert (rel.programme_id, rel.cohort_id, rel.mentor_id, rel.mentee_id, rel.status) == (
        aces.programme.id, None, people["Ann Expert"].id, people["Lee Learner"].id, RELEASED)
    goals = list(Goal.select().where(Goal.relationship == rel.id).order_by(Goal.id))
    assert [(g.title, g.item_key, g.owner_id, g.shared) for g in goals] == [
        (f"I have adequate knowledge of {aces.items[t].text}", f"workbook-item:{aces.items[t].id}",
         people["Lee Learner"].id, True)
        for t in ("reading a budget statement", "forecasting spend for a year")]
    assert "I want to read my budget statement" in Note.get(Note.relationship == rel.id).body
    fresh = IntroductionRequest.get_by_id(row.id)
    assert (fresh.status, fresh.response_seconds) == (ACCEPTED_REQUEST, 5 * 3600)
    (email,) = [m for m in sent_emails(people["Lee Learner"].email) if "help" in m.subject]
    assert "Ann Expert will help you" in email.subject and f"/mentoring/{rel.id}" in email.body_text
    # The workbook's sign-off and countersignature are the pair's space's own.
    signed = services_goals.sign_off_goal(goals[0], people["Lee Learner"],
                                          "I can read the monthly statement now.")
    services_goals.countersign_goal(signed, people["Ann Expert"])
    assert [g.title for g in Goal.workbook_for(people["Lee Learner"], rel)] == [goals[0].title]
    with pytest.raises(intros.IntroductionRefused, match="already"):
        intros.accept(row.id)


def test_a_full_expert_cannot_accept_past_their_number(world, now):
    aces, people = world
    ann = expert(world, capacity=1)
    row = ask(world, [ann], item_ids(world, "forecasting spend for a year"))
    Relationship.create(programme=aces.programme, mentor=people["Ann Expert"],
                        mentee=people["Bob Expert"], status=RELEASED, released_at=now)
    with pytest.raises(intros.IntroductionRefused, match="the most you said") as refused:
        intros.accept(row.requests.get().id)
    assert refused.value.reason == "full"
    assert row.requests.get().status == "pending"


def test_declined_or_lapsed_requests_can_never_be_accepted(world, sent_emails, now):
    ann, bob = expert(world, "Ann Expert"), expert(world, "Bob Expert")
    items = item_ids(world, "forecasting spend for a year")
    asked_at = now - dt.timedelta(days=settings.get("expert_request_days"), hours=1)
    first = ask(world, [ann], items, now=asked_at).requests.get()
    second = ask(world, [bob], items).requests.get()
    intros.decline(second.id, "Busy until the spring, sorry.")
    assert intros.expiring(utcnow()) == [first.id]
    with pytest.raises(intros.IntroductionRefused) as lapsed:
        intros.accept(first.id)  # out of time, even before the job has run
    assert lapsed.value.reason == EXPIRED
    assert intros.expire(first.id) is True
    assert intros.expire(first.id) is False  # once
    with pytest.raises(intros.IntroductionRefused) as declined:
        intros.accept(second.id)
    assert declined.value.reason == DECLINED
    assert IntroductionRequest.get_by_id(first.id).status == EXPIRED
    learner = world[1]["Lee Learner"].email
    subjects = sorted(m.subject for m in sent_emails(learner))
    assert subjects == ["Your request to Ann Expert (Aces volunteer experts)",
                        "Your request to Bob Expert (Aces volunteer experts)"]
    bodies = " ".join(m.body_text for m in sent_emails(learner))
    assert "Busy until the spring" in bodies and "not been able to answer" in bodies
    assert Relationship.select().count() == 0


def test_other_experts_for_the_same_items_leave_out_those_already_asked(world, make_user):
    aces, _ = world
    ann = expert(world, "Ann Expert")
    make_expert(aces, make_user(name="Cat Covers"), specialisms=("Building a budget",))
    make_expert(aces, make_user(name="Dee Elsewhere"), specialisms=("Spreadsheets",))
    introduction = ask(world, [ann], item_ids(world, "reading a budget statement"))
    others = intros.other_experts(introduction, item_ids(world, "reading a budget statement"))
    assert [e.user.name for e in others] == ["Cat Covers"]


# Activity checks -----------------------------------------------------------------------------

def checks_emailed() -> list[str]:
    return sorted(m.key for m in OutboxMessage.select().where(
        OutboxMessage.key.startswith("expert-activity-check:")))


@pytest.fixture
def checked(world, now, today):
    """Ann, on the list since well before the period began, has had this period's check."""
    ann = expert(world, created_at=now - dt.timedelta(days=400))
    assert services_checks.checks_due(today, now) == [ann.id]
    assert len(services_checks.send_check(ann.id, today, now)) == 1
    return ann, ActivityCheck.get(ActivityCheck.expert == ann.id)


def test_one_check_per_expert_per_period(world, checked, make_user, now, today):
    ann, check = checked
    newly = make_expert(world[0], make_user(name="Newly Joined"))  # joined in this period
    assert services_checks.checks_due(today, now) == []
    assert services_checks.send_check(ann.id, today, now) == []
    assert checks_emailed() == [f"expert-activity-check:{ann.id}:{check.period_start}"]
    next_period = today + dt.timedelta(weeks=settings.get("expert_check_weeks"))
    services_checks.answer(check.id, "yes", now=now)
    assert services_checks.checks_due(next_period, now) == [ann.id, newly.id]


def test_no_answer_hides_the_expert_after_m_days(world, checked, now):
    ann, check = checked
    days = settings.get("expert_check_answer_days")
    just_before = now + dt.timedelta(days=days) - dt.timedelta(minutes=1)
    assert listed_names(just_before) == ["Ann Expert"]
    after = now + dt.timedelta(days=days, minutes=1)
    assert listed_names(after) == []
    assert [c.id for c in Expert.unanswered_checks(after)] == [check.id]
    # the staff to-do list counts them per programme from the same select
    per_programme = (Expert.unanswered_checks(after)
                     .select(Programme.id, Programme.name, fn.COUNT(ActivityCheck.id))
                     .group_by(Programme.id, Programme.name).order_by(Programme.name).tuples())
    assert list(per_programme) == [(world[0].programme.id, "Aces volunteer experts", 1)]
    assert services_checks.checks_due(after.date(), after) == []  # not re-asked while silent
    services_checks.answer(check.id, "yes", now=after)  # a late answer still counts
    assert listed_names(after) == ["Ann Expert"]
    assert list(Expert.unanswered_checks(after)) == []


def test_the_organiser_puts_a_silent_expert_back(world, checked, now):
    ann, check = checked
    later = now + dt.timedelta(days=settings.get("expert_check_answer_days") + 1)
    assert services_checks.resolve(world[0].coordinator, world[0].programme.id, check.id, later)
    assert listed_names(later) == ["Ann Expert"]
    assert not services_checks.resolve(world[0].coordinator, world[0].programme.id, check.id)


def test_pause_me_hides_the_expert_until_the_date(world, checked, now, today):
    ann, check = checked
    until = today + dt.timedelta(days=30)
    services_checks.answer(check.id, "pause", until, today=today, now=now)
    assert listed_names(now) == []
    assert listed_names(now + dt.timedelta(days=29)) == []
    assert listed_names(now + dt.timedelta(days=30)) == ["Ann Expert"]


def test_a_pause_needs_a_date_in_the_future(world, checked, now, today):
    _, check = checked
    for bad in (None, today):
        with pytest.raises(services_checks.CheckRefused) as refused:
            services_checks.answer(check.id, "pause", bad, today=today, now=now)
        assert refused.value.reason == "date"
    assert ActivityCheck.get_by_id(check.id).answered_at is None


def test_take_me_off_the_list(world, checked, now):
    ann, check = checked
    services_checks.answer(check.id, "off", now=now)
    assert listed_names() == []
    assert Expert.get_by_id(ann.id).withdrawn_at is not None


@pytest.mark.parametrize("first", ["yes", "pause", "off"])
def test_every_answer_link_works_only_once(world, checked, first, now, today):
    _, check = checked
    tokens = {answer: notices.check_token(check.id, answer) for answer in ("yes", "pause", "off")}
    row, suggested = services_checks.check_for_token(tokens[first])
    assert (row.id, suggested) == (check.id, first)
    services_checks.answer(check.id, first, today + dt.timedelta(days=9), today=today, now=now)
    for token in tokens.values():
        with pytest.raises(LinkProblem) as used:
            services_checks.check_for_token(token)
        assert used.value.reason == "used"
    for answer in ("yes", "pause", "off"):
        with pytest.raises(services_checks.CheckRefused) as refused:
            services_checks.answer(check.id, answer, today + dt.timedelta(days=9), now=now)
        assert refused.value.reason == "used"


def test_a_check_link_lapses_after_its_days(world, checked, now):
    _, check = checked
    later = now + dt.timedelta(days=services_checks.LINK_DAYS, minutes=1)
    with pytest.raises(services_checks.CheckRefused) as refused:
        services_checks.answer(check.id, "yes", now=later)
    assert refused.value.reason == "expired"


def test_periods_follow_the_setting(ctx):
    settings.save({"expert_check_weeks": 4})
    day = dt.date(2027, 3, 10)
    start = services_checks.period_start(day)
    assert (day - start).days < 28 and (start - services_checks.EPOCH).days % 28 == 0
    assert services_checks.period_start(start) == start
    before = start - dt.timedelta(days=1)
    assert services_checks.period_start(before) == start - dt.timedelta(days=28)


# People's data ---------------------------------------------------------------------------------

def test_the_data_export_and_erasure_cover_the_directory(world):
    aces, people = world
    ann = expert(world)
    ask(world, [ann], item_ids(world, "forecasting spend for a year"),
        wants="I want to plan a year of spend")
    learner = people["Lee Learner"]
    exported = people_data.export_of(learner)["introductions_you_asked_for"]
    assert [(e["expert"], e["what_you_want_to_learn"]) for e in exported] == [
        ("Ann Expert", "I want to plan a year of spend")]
    assert people_data.export_of(people["Ann Expert"])["expert_profiles"][0]["specialisms"] == [
        "Building a budget"]
    erase_account(aces.coordinator, people["Ann Expert"].id)
    assert listed_names() == []
    assert Expert.get_by_id(ann.id).bio == ""
    assert IntroductionRequest.get().status == "withdrawn"
