"""The directory, its active search (page and fragment, by words and by specialism), the
next page and the organiser's list issue the same number of queries at 10 and at 5,000
experts: response times, learners and last activity come from aggregate subqueries, never
from a query per expert."""
import pytest
from playhouse.test_utils import count_queries

from portal.db import db
from tests.expert_factories import add_listed_experts, make_aces
from tests.pages import Page

PAGES = {
    "directory": ("/experts/", {}),
    "search": ("/experts/?q=budget+teach", {}),
    "specialism": ("/experts/?specialism={budget}", {}),
    "fragment": ("/experts/?q=budget&specialism={budget}", {"HX-Request": "true"}),
    "next page": ("/experts/more?after=Expert+00003~4", {"HX-Request": "true"}),
}


def measure(client, aces) -> tuple[dict, dict]:
    counts, rows = {}, {}
    for name, (url, headers) in PAGES.items():
        url = url.format(budget=aces.specialisms["Building a budget"].slug)
        with count_queries() as counter:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = counter.count
        rows[name] = len(Page(response).soup.select(".tandem-expert"))
    with count_queries() as counter:
        response = client.get(f"/experts/manage/{aces.programme.id}")
    assert response.status_code == 200
    counts["organiser"] = counter.count
    rows["organiser"] = len(Page(response).table("#expert-activity"))
    return counts, rows


@pytest.mark.long
def test_the_directory_and_search_are_a_fixed_number_of_queries(app, client, login, make_user):
    with app.app_context(), db.connection_context():
        aces = make_aces(make_user(role="staff"))
    learner = make_user(name="Lee Learner")
    add_listed_experts(app, aces, learner, 0, 10)
    login(aces.coordinator)
    few_counts, few_rows = measure(client, aces)
    add_listed_experts(app, aces, learner, 10, 4990)
    many_counts, many_rows = measure(client, aces)

    assert many_counts == few_counts
    assert max(few_counts.values()) <= 10, few_counts
    assert few_rows["directory"] == 10 and many_rows["directory"] == 20  # a page of 20
    assert many_rows["search"] == 20 and many_rows["fragment"] == 20
    assert few_rows["specialism"] == 5 and many_rows["specialism"] == 20
    assert many_rows["organiser"] == 50
