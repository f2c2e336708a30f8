"""The header navigation, which follows the person's role."""
from flask import g, url_for

from portal import permissions
from portal.reports import open_report_count


def main_navigation(user) -> list[dict]:
    if user is None or not user.is_authenticated:
        return [{"text": "Home", "href": url_for("home.index")},
                {"text": "Programmes", "href": url_for("programmes.index")}]
    items = [{"text": "Dashboard", "href": url_for("home.dashboard")},
             {"text": "Programmes", "href": url_for("programmes.index")},
             {"text": "Knowledge hub", "href": url_for("hub.index")},
             {"text": "Boards", "href": url_for("boards.index")},
             {"text": "Library", "href": url_for("library.index")},
             {"text": "Webinars", "href": url_for("webinars.index")},
             {"text": "Experts", "href": url_for("experts.index")},
             {"text": "Your profile", "href": url_for("accounts.profile")}]
    if permissions.can_view_staff_area(user):
        items.append({"text": staff_label(), "href": url_for("staff.index")})
    return items


def staff_label() -> str:
    """"Staff", with the number of open reports when there are any: one query, cached for
    the request."""
    if "open_reports" not in g:
        g.open_reports = open_report_count()
    return f"Staff ({g.open_reports} open reports)" if g.open_reports else "Staff"
