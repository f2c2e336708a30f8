"""Return to Work from set-up to a place in the cohort, in a real browser, with JavaScript on
and off: staff set the programme up through the staff pages alone (both roles' rules,
commitments, the fee and a recruiting cohort); a visitor reads the public page, creates an
account and applies as a mentee, is refused with the leave rule, corrects it and submits;
the coordinator accepts; the applicant sees the status, gets the email and can now read an
article written for the cohort. axe-core checks every page and every in-page update."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from portal import audience
from portal.blueprints.programmes.models import Cohort
from portal.dates import add_months
from portal.db import db
from portal.outbox import OutboxMessage
from tests.browser.pages import DashboardPage, LoginPage, PageObject, RegisterPage
from tests.browser.programme_pages import (
    ApplicationPage,
    ApplyPage,
    ManageProgrammesPage,
    ProgrammesPage,
    RoleSetUp,
    mark_document,
    same_document,
)
from tests.browser.test_account_journey import emailed_link
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

PROGRAMME = "Return to Work"
NAME, EMAIL = "Nadia Nurse", "nadia.nurse@example.nhs.uk"
COORDINATOR = ("Sam Staff", "sam.staff@example.nhs.uk")
ARTICLE = "Your first fortnight back: a plan for the cohort"
FOR_EVERYONE = "Telling your team about your leave"
FEE_WORDING = ("Places are offered at a reduced cost of £500, well below the usual price of "
               "this kind of mentoring.")
LEAVE_TYPES = ["Maternity leave", "Paternity leave", "Adoption leave", "Carers leave",
               "Fostering leave"]
LEAVE_WORDS = ("maternity leave, paternity leave, adoption leave, carers leave or "
               "fostering leave")
MENTOR = RoleSetUp(
    name="mentor", description="Staff who have taken such leave and came back.",
    training_days=1, commitments=["Attend the mentor training day",
                                  "Meet your mentee for up to 12 months"],
    rule="Experience of leave", leave_types=LEAVE_TYPES,
    numbers={"Within the last (years)": 5})
MENTEE = RoleSetUp(
    name="mentee", description="Staff about to go on leave who want to plan their return.",
    training_days=1, commitments=["Attend the mentee training day",
                                  "Meet your mentor for up to 12 months"],
    rule="Leave", leave_types=LEAVE_TYPES,
    numbers={"Starting at least this many months ahead": 3,
             "and at most this many months ahead": 6, "Lasting at least (months)": 3})


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def everyone_group_of(app, cohort_name: str) -> int:
    """The id of the group staff's new cohort made for everyone accepted into it."""
    with app.app_context(), db.connection_context():
        return Cohort.get(Cohort.name == cohort_name).everyone_group_id


def acceptance_emails(app, address: str) -> list[OutboxMessage]:
    with app.app_context(), db.connection_context():
        return list(OutboxMessage.select().where(
            OutboxMessage.to_addr == address,
            OutboxMessage.subject == f"You have a place on {PROGRAMME}"))


def expect_not_found(page, axe, path: str) -> None:
    response = page.goto(path)
    assert response.status == 404
    PageObject(page, axe, heading="Page not found")


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_return_to_work_from_set_up_to_a_place_in_the_cohort(app, new_page, axe, live_server,
                                                             make_user, make_article,
                                                             sent_emails, javascript):
    today = dt.date.today()
    staff = make_user(role="staff", name=COORDINATOR[0], email=COORDINATOR[1])

    # Staff set the programme up, publish it, coordinate it and open a cohort. -------------
    staff_page = new_page(javascript=javascript)
    dashboard = LoginPage.open(staff_page, axe).log_in(staff.email, TEST_PASSWORD)
    dashboard.staff().follow("Programmes")
    manage = ManageProgrammesPage(staff_page, axe)
    expect(manage.main).to_contain_text("No programmes yet.")

    setup = manage.set_up_a_programme().save(
        name=PROGRAMME, summary="Mentoring for staff before, during and after long leave.",
        description="## Who it is for\n\nStaff going on leave, and staff who have been.",
        length_months=(6, 12), fee="500", fee_wording=FEE_WORDING, mentor=MENTOR,
        mentee=MENTEE)
    setup.expect_message(f"{PROGRAMME} created. It is not published yet.")
    expect(setup.publication).to_have_text("Not published: only staff can see it.")
    expect(setup.rules("mentee")).to_have_text([
        f"About to take {LEAVE_WORDS} in the next 3 to 6 months, for at least 3 months"])
    expect(setup.rules("mentor")).to_have_text([f"Took {LEAVE_WORDS} within the last 5 years"])
    expect(setup.commitments("mentor")).to_have_text(MENTOR.commitments)
    expect(setup.commitments("mentee")).to_have_text(MENTEE.commitments)
    assert setup.summary_list()["Fee"] == f"£500\n{FEE_WORDING}"
    assert setup.summary_list()["Relationship length"] == "6 to 12 months"

    setup = setup.publish()
    setup.expect_message(f"{PROGRAMME} is published.")
    expect(setup.publication).to_have_text(
        "Published: anyone can read its page and apply.")

    setup = setup.add_coordinator(staff.email)
    setup.expect_message(f"{staff.name} now coordinates {PROGRAMME}.")
    expect(setup.coordinators).to_have_text(
        [f"{staff.name} ({staff.email}) Remove {staff.name}"])

    closes = today + dt.timedelta(days=21)
    training = (closes + dt.timedelta(days=7), closes + dt.timedelta(days=8))
    mentoring = (closes + dt.timedelta(days=14), add_months(closes, 12))
    evaluation = (add_months(closes, 12), add_months(closes, 13))
    cohort = setup.add_a_cohort().save("2027", {
        "Recruitment opens": today, "Recruitment closes": closes,
        "Training starts": training[0], "Training ends": training[1],
        "Mentoring starts": mentoring[0], "Mentoring ends": mentoring[1],
        "Evaluation starts": evaluation[0], "Evaluation ends": evaluation[1],
    }, mentor_places=10, mentee_places=20)
    cohort.expect_message("Cohort 2027 created, with its groups.")
    expect(cohort.phase).to_have_text("Recruiting")
    expect(cohort.groups).to_have_text([f"Everyone: {PROGRAMME} 2027",
                                        f"Mentors: {PROGRAMME} 2027: mentors",
                                        f"Mentees: {PROGRAMME} 2027: mentees"])

    # An article for everyone signed in, and one for the cohort, written once the cohort's
    # groups exist.
    make_article(title=FOR_EVERYONE, summary="Who to tell, and when.")
    everyone_group = everyone_group_of(app, "2027")
    article = make_article(title=ARTICLE, summary="What to do in your first two weeks.",
                           body="## Week one\n\nMeet your mentor on the first morning.",
                           audience_value=audience.GROUPS, group_ids=[everyone_group])

    # A visitor reads about it, creates an account and applies as a mentee. -----------------
    visitor = new_page(javascript=javascript)
    programmes = ProgrammesPage.open(visitor, axe)
    expect(programmes.card(PROGRAMME)).to_contain_text(
        f"Recruiting until {long_date(closes)}")
    public = programmes.open_programme(PROGRAMME)
    expect(public.dates).to_contain_text(f"2027 is recruiting now, until {long_date(closes)}.")
    dates = public.summary_list()
    assert dates["Applications close"] == long_date(closes)
    assert dates["Training"] == f"{long_date(training[0])} to {long_date(training[1])}"
    assert dates["Mentoring"] == f"{long_date(mentoring[0])} to {long_date(mentoring[1])}"
    assert dates["Length"] == "6 to 12 months"
    expect(public.fee).to_contain_text("£500 per participant")
    expect(public.fee).to_contain_text(FEE_WORDING)
    expect(public.who_can_apply("mentee")).to_have_text([
        f"About to take {LEAVE_WORDS} in the next 3 to 6 months, for at least 3 months"])
    expect(public.who_can_apply("mentor")).to_have_text([
        f"Took {LEAVE_WORDS} within the last 5 years"])
    expect(public.role("mentee").locator(".tandem-commitments > li")).to_have_text(
        MENTEE.commitments)

    login = public.apply_signed_out("mentee")
    login.follow("Create an account")
    check_email = RegisterPage(visitor, axe).register(NAME, EMAIL, TEST_PASSWORD)
    expect(check_email.main).to_contain_text(EMAIL)
    visitor.goto(emailed_link(sent_emails, EMAIL, "Confirm your email address", live_server))
    login = LoginPage(visitor, axe)
    login.expect_message("Your email address is confirmed. You can now log in.")
    login.log_in_and_return(EMAIL, TEST_PASSWORD)
    # Back at the form they set out for, before they registered.
    ApplyPage(visitor, axe, heading="Apply as a mentee")

    # Not in the cohort yet: the cohort's article is nowhere to be seen.
    dashboard = DashboardPage.open(visitor, axe)
    expect(dashboard.main.locator("#recent").get_by_role("link")).to_have_text([FOR_EVERYONE])
    expect(dashboard.main.locator("#your-applications")).to_contain_text(
        "You have not applied to a programme yet.")
    dashboard.navigate("Knowledge hub")
    hub = PageObject(visitor, axe, heading="Knowledge hub")
    expect(hub.main.locator("#article-rows h3")).to_have_text([FOR_EVERYONE])
    expect_not_found(visitor, axe, f"/hub/articles/{article.slug}")

    dashboard = DashboardPage.open(visitor, axe)
    dashboard.navigate("Programmes")
    apply = ProgrammesPage(visitor, axe).open_programme(PROGRAMME).apply("mentee")

    too_late = add_months(today, 8)
    apply.answer(motivation="I start maternity leave soon and want to plan my return.",
                 leave_type="Maternity leave", leave_starts=too_late, leave_months=9,
                 channel="Video call", commitments=[], evaluation=True)
    apply = apply.submit_refused()
    rule = (f"Leave: your leave must start between 3 and 6 months from now, that is between "
            f"{long_date(add_months(today, 3))} and {long_date(add_months(today, 6))}")
    apply.expect_errors(rule, f"Commitments: tick “{MENTEE.commitments[0]}”")
    leave_starts = apply.main.get_by_label("When your leave starts", exact=True)
    expect(leave_starts).to_have_attribute("aria-invalid", "true")
    expect(leave_starts).to_have_accessible_description(re.compile(re.escape(rule)))
    expect(leave_starts).to_have_value(too_late.isoformat())
    expect(apply.main.locator("#draft-state")).to_contain_text("Draft")
    apply.error_summary.get_by_role("link", name=rule).click()
    expect(leave_starts).to_be_focused()

    in_four_months = add_months(today, 4)
    leave_starts.fill(in_four_months.isoformat())
    for text in MENTEE.commitments:
        apply.tick(text)
    application = apply.submit()
    application.expect_message("Your application is sent.")
    expect(application.state).to_have_text("Submitted")
    assert application.summary_list()["Leave starts"] == long_date(in_four_months)
    application_url = visitor.url

    # The coordinator accepts. ----------------------------------------------------------------
    staff_page.goto("/programmes/manage")
    review = ManageProgrammesPage(staff_page, axe).open_programme(PROGRAMME).review_applications()
    [row] = review.applications()
    assert (row["Applicant"], row["Role"], row["Status"], row["Eligibility"]) == (
        NAME, "Mentee", "Submitted", "Meets the rules")
    decision = review.open_application(NAME)
    expect(decision.eligibility).to_have_text("Meets every rule of the mentee role today.")
    expect(decision.status_panel.locator("#status")).to_have_text("Submitted")
    mark_document(decision)
    decision = decision.decide("Accept", f"{NAME} is accepted and added to the cohort's groups.")
    expect(decision.status_panel.locator("#status")).to_have_text("Accepted")
    assert same_document(decision) is javascript

    # The applicant sees the status, has the email and can read the cohort's article. ----------
    visitor.goto(application_url)
    application = ApplicationPage(visitor, axe)
    expect(application.state).to_have_text("Accepted")
    expect(application.history.last).to_contain_text("Accepted")

    [email] = acceptance_emails(app, EMAIL)
    assert f"you have a place on {PROGRAMME} (2027) as a mentee" in email.body_text
    assert f"Your application: {application_url}" in email.body_text

    dashboard = DashboardPage.open(visitor, axe)
    expect(dashboard.main.locator(".tandem-application-list > li")).to_have_text(
        [re.compile(rf"^{PROGRAMME}: 2027, as mentee\s+Accepted$")])
    expect(dashboard.main.locator("#my-groups > li")).to_have_text(
        [f"{PROGRAMME} 2027", f"{PROGRAMME} 2027: mentees"])
    recent = dashboard.main.locator("#recent").get_by_role("link")
    expect(recent).to_have_count(2)
    expect(recent.filter(has_text=ARTICLE)).to_have_count(1)
    dashboard.navigate("Knowledge hub")
    hub = PageObject(visitor, axe, heading="Knowledge hub")
    listed = hub.main.locator("#article-rows h3")
    expect(listed).to_have_count(2)
    listed.get_by_role("link", name=ARTICLE, exact=True).click()
    reading = PageObject(visitor, axe, heading=ARTICLE)
    expect(reading.main.locator("#article-body")).to_contain_text(
        "Meet your mentor on the first morning.")
