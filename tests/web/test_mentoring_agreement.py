"""The pair's agreement: suggested words to edit, each person's dated confirmation, a change
that asks both to confirm again, and the start of the mentoring when both first confirm;
with htmx and without, and 404 for anyone but the pair. CSRF stays on."""
import datetime as dt

import pytest

from portal.blueprints.mentoring import services_agreement
from portal.blueprints.mentoring.models import ACTIVE, RELEASED, Agreement, Relationship
from portal.blueprints.programmes.models import MENTEE, Application, Cohort
from portal.dates import add_months
from portal.db import db, utcnow
from tests.mentoring_factories import make_pair, make_programme, release_pair
from tests.pages import Page

HX = {"HX-Request": "true"}


@pytest.fixture
def pair(app, make_user):
    with app.app_context(), db.connection_context():
        return make_pair(make_user)


def pair_page(client, rel, headers=None) -> Page:
    response = client.get(f"/mentoring/{rel.id}", headers=headers or {})
    assert response.status_code == 200
    return Page(response)


def confirm(client, rel, csrf_token, version, headers=None):
    return client.post(f"/mentoring/{rel.id}/agreement/confirm",
                       data={"csrf_token": csrf_token, "version": version},
                       headers=headers or {})


def reload(app, rel) -> Relationship:
    with app.app_context(), db.connection_context():
        return Relationship.get_by_id(rel.id)


def words(**changes) -> dict:
    return {"expectations": "We both come prepared.", "confidentiality": "Between us.",
            "frequency": "Every three weeks", "channel": "telephone",
            "ending": "Either of us can say so.", **changes}


def test_a_new_pair_sees_suggested_words_to_edit_and_nobody_has_confirmed(
        client, login, pair):
    login(pair.mentee)
    page = pair_page(client, pair.rel)
    assert "Suggested wording" in page.text("#agreement-version")
    assert "stays between the two of us" in page.text("#agreement-confidentiality")
    assert page.text("#agreement-channel") == "How we will usually meet Telephone"
    assert page.text("#agreement-frequency") == "How often we will meet Up to 3 sessions " \
                                                "over 3 months"
    assert page.texts("#agreement-confirmations li") == [
        "Maya Mentor (mentor): not confirmed yet", "Ned Mentee (mentee): not confirmed yet"]
    edit = Page(client.get(f"/mentoring/{pair.rel.id}/agreement"))
    assert "stays between the two of us" in edit.value("confidentiality")
    assert edit.value("version") == "0"


def test_both_confirming_starts_the_mentoring_with_dated_confirmations(
        app, client, login, pair, csrf_token):
    login(pair.mentor)
    response = confirm(client, pair.rel, csrf_token, 0)
    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes() == ["You have confirmed the agreement. Ned Mentee has not "
                              "confirmed it yet."]
    today = dt.date.today().strftime("%-d %b %Y")
    assert page.texts("#agreement-confirmations li") == [
        f"Maya Mentor (mentor): confirmed on {today}", "Ned Mentee (mentee): not confirmed yet"]
    assert reload(app, pair.rel).status == RELEASED
    assert "Confirm the agreement" not in page.text("#agreement")  # done already

    login(pair.mentee)
    response = confirm(client, pair.rel, csrf_token, 1)
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes() == ["You have both confirmed the agreement: your mentoring with "
                              "Maya Mentor has started."]
    assert "Active" in page.text("#pair-status")
    rel = reload(app, pair.rel)
    with app.app_context(), db.connection_context():
        mentoring_ends = Cohort.get_by_id(rel.cohort_id).mentoring_ends
    assert (rel.status, rel.ends_on) == (ACTIVE, mentoring_ends)
    assert rel.started_at is not None and utcnow() - rel.started_at < dt.timedelta(minutes=5)


def test_a_change_by_either_person_asks_both_to_confirm_again(
        app, client, login, pair, csrf_token):
    for person, version in ((pair.mentor, 0), (pair.mentee, 1)):
        login(person)
        confirm(client, pair.rel, csrf_token, version)
    started_at = reload(app, pair.rel).started_at

    response = client.post(f"/mentoring/{pair.rel.id}/agreement",
                           data={"csrf_token": csrf_token, "version": 1, **words()})
    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes()[-1] == ("Agreement saved as version 2. You and Maya Mentor both "
                                  "need to confirm it.")
    assert page.text("#agreement-version").startswith("Version 2, last changed by Ned Mentee")
    assert page.text("#agreement-frequency") == "How often we will meet Every three weeks"
    assert page.texts("#agreement-confirmations li") == [
        "Maya Mentor (mentor): not confirmed yet", "Ned Mentee (mentee): not confirmed yet"]
    rel = reload(app, pair.rel)
    assert (rel.status, rel.started_at) == (ACTIVE, started_at)  # it does not start again

    # Saving the same words again is not a change.
    client.post(f"/mentoring/{pair.rel.id}/agreement",
                data={"csrf_token": csrf_token, "version": 2, **words()})
    with app.app_context(), db.connection_context():
        assert Agreement.get().version == 2


def test_confirming_a_version_the_other_person_has_since_changed_is_refused(
        app, client, login, pair, csrf_token):
    login(pair.mentor)
    client.post(f"/mentoring/{pair.rel.id}/agreement",
                data={"csrf_token": csrf_token, "version": 0, **words()})
    login(pair.mentee)
    response = confirm(client, pair.rel, csrf_token, 0, headers=HX)  # read before the change
    assert response.status_code == 422
    fragment = Page(response)
    assert not fragment.is_full_page
    assert "The agreement changed after you opened it" in fragment.text("#flashes")
    assert fragment.text("#agreement-frequency").endswith("Every three weeks")
    with app.app_context(), db.connection_context():
        assert Agreement.get().mentee_confirmed_at is None


def test_saving_over_a_change_made_meanwhile_asks_first(app, client, login, pair,
                                                          csrf_token):
    login(pair.mentee)
    client.post(f"/mentoring/{pair.rel.id}/agreement",
                data={"csrf_token": csrf_token, "version": 0, **words()})
    login(pair.mentor)  # opened the form before Ned saved
    mine = words(frequency="Every month")
    response = client.post(f"/mentoring/{pair.rel.id}/agreement",
                           data={"csrf_token": csrf_token, "version": 0, **mine})
    assert response.status_code == 422
    page = Page(response)
    assert page.error_summary() == [
        "Ned Mentee changed it while you were editing the agreement: that version is on "
        "your pair page. Saving again replaces it with what you have written here."]
    assert (page.value("frequency"), page.value("version")) == ("Every month", "1")
    response = client.post(f"/mentoring/{pair.rel.id}/agreement",
                           data={"csrf_token": csrf_token, "version": 1, **mine})
    assert response.status_code == 303
    with app.app_context(), db.connection_context():
        saved = Agreement.get()
    assert (saved.version, saved.frequency) == (2, "Every month")


def test_htmx_confirm_answers_the_section_and_the_starting_one_reloads_the_page(
        app, client, login, pair, csrf_token):
    login(pair.mentee)
    response = confirm(client, pair.rel, csrf_token, 0, headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    fragment = Page(response)
    assert not fragment.is_full_page
    assert fragment.soup.select_one("section#agreement") is not None
    assert fragment.texts("#agreement-confirmations li")[1].startswith(
        "Ned Mentee (mentee): confirmed on")
    assert "You have confirmed the agreement." in fragment.text("#flashes")

    login(pair.mentor)
    response = confirm(client, pair.rel, csrf_token, 1, headers=HX)
    assert response.headers["HX-Redirect"] == f"/mentoring/{pair.rel.id}"
    assert reload(app, pair.rel).status == ACTIVE
    assert "Active" in pair_page(client, pair.rel).text("#pair-status")


def test_the_edit_form_keeps_what_was_typed_when_a_field_is_missing(
        client, login, pair, csrf_token):
    login(pair.mentor)
    response = client.post(f"/mentoring/{pair.rel.id}/agreement",
                           data={"csrf_token": csrf_token, "version": 0,
                                 **words(expectations="", frequency="Weekly")})
    assert response.status_code == 422
    page = Page(response)
    assert page.error_summary() == ["Write what you expect of each other"]
    assert page.field_errors() == {"expectations": "Write what you expect of each other"}
    assert page.value("frequency") == "Weekly"
    assert page.value("confidentiality") == "Between us."


def test_a_channel_the_programme_does_not_offer_is_refused(client, login, pair, csrf_token):
    login(pair.mentor)
    response = client.post(f"/mentoring/{pair.rel.id}/agreement",
                           data={"csrf_token": csrf_token, "version": 0,
                                 **words(channel="video")})
    assert response.status_code == 422
    assert Page(response).error_summary() == [
        "Short virtual mentoring does not offer that way of meeting."]


def test_nobody_else_reaches_the_agreement_and_posts_need_csrf(
        app, client, login, pair, csrf_token, make_user):
    for outsider in (pair.coordinator, make_user(role="admin"), make_user()):
        login(outsider)
        assert client.get(f"/mentoring/{pair.rel.id}").status_code == 404
        assert client.get(f"/mentoring/{pair.rel.id}/agreement").status_code == 404
        assert confirm(client, pair.rel, csrf_token, 0).status_code == 404
    login(pair.mentor)
    assert client.post(f"/mentoring/{pair.rel.id}/agreement/confirm",
                       data={"version": 0}).status_code == 400
    with app.app_context(), db.connection_context():
        assert Agreement.select().count() == 0


def test_start_without_a_cohort_runs_the_programmes_length_and_copies_the_mentees_leave(
        app, make_user):
    coordinator = make_user(role="staff")
    mentor, mentee = make_user(name="Maya Mentor"), make_user(name="Ned Mentee")
    now = dt.datetime(2026, 5, 4, 9, 30)
    with app.app_context(), db.connection_context():
        programme, cohort = make_programme(coordinator, "return_to_work")
        application = Application.create(applicant=mentee.id, programme=programme,
                                         cohort=cohort, role=MENTEE,
                                         leave_starts=dt.date(2026, 8, 31), leave_months=9)
        rel = release_pair(programme, None, mentor, mentee, mentee_application=application)
        rel = Relationship.with_people().where(Relationship.id == rel.id).get()
        with db.atomic():
            services_agreement.start(rel, now)
        stored = Relationship.get_by_id(rel.id)
    assert (stored.status, stored.started_at) == (ACTIVE, now)
    assert stored.ends_on == add_months(dt.date(2026, 5, 4), 12)
    assert (stored.leave_starts, stored.leave_returns) == (dt.date(2026, 8, 31),
                                                           dt.date(2027, 5, 31))


def test_start_keeps_leave_dates_the_pair_set_and_has_no_end_without_a_length(
        app, make_user):
    coordinator = make_user(role="staff")
    mentor, mentee = make_user(), make_user()
    with app.app_context(), db.connection_context():
        programme, cohort = make_programme(coordinator, "return_to_work",
                                           length_max_months=None)
        application = Application.create(applicant=mentee.id, programme=programme,
                                         cohort=cohort, role=MENTEE,
                                         leave_starts=dt.date(2026, 8, 31), leave_months=9)
        rel = release_pair(programme, None, mentor, mentee, mentee_application=application,
                           leave_starts=dt.date(2026, 9, 14))
        rel = Relationship.with_people().where(Relationship.id == rel.id).get()
        services_agreement.start(rel, dt.datetime(2026, 5, 4, 9, 30))
        stored = Relationship.get_by_id(rel.id)
    assert stored.ends_on is None
    assert (stored.leave_starts, stored.leave_returns) == (dt.date(2026, 9, 14), None)
