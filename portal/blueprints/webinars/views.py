"""Finding and booking webinar sessions: the list, a session's page, and one-click book,
cancel and claim (htmx swaps the booking panel in place; without JavaScript the same forms
post and redirect)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.blueprints.webinars import services, times
from portal.blueprints.webinars.models import (
    BOOKED,
    OFFERED,
    WAITLISTED,
    WITHDRAWN,
    WebinarBooking,
    WebinarSession,
)
from portal.blueprints.webinars.resources import resources_for
from portal.db import utcnow
from portal.forms import EmptyForm
from portal.htmx import render_page_or_fragment, wants_fragment, with_flashes
from portal.pagination import ordered_by

bp = Blueprint("webinars", __name__, url_prefix="/webinars")
PAGE_SIZE = 20
PUBLIC_ENDPOINTS = frozenset({"webinars.feed"})  # the calendar feed carries its own secret


@bp.before_request
def _signed_in_only():
    if request.endpoint not in PUBLIC_ENDPOINTS and not current_user.is_authenticated:
        return login_required(lambda: None)()
    return None


@bp.app_template_filter("webinar_span")
def _span(session) -> str:
    return times.fmt_span(session.starts_at, session.ends_at)


@bp.app_template_filter("local_when")
def _when(moment) -> str:
    return times.fmt_when(moment)


@bp.app_template_filter("local_date")
def _date(moment) -> str:
    return times.to_local(moment).strftime("%-d %b %Y")


def get_session_or_404(session_id: int) -> WebinarSession:
    """A session this person may see (staff see every one), with its seat count and the
    person's booking status."""
    query = WebinarSession.visible_to(current_user)
    return (WebinarSession.listing(current_user, query)
            .where(WebinarSession.id == session_id).first()) or abort(404)


def my_booking(session: WebinarSession) -> WebinarBooking | None:
    return WebinarBooking.with_position([session.id], current_user.id).get(session.id)


@bp.get("/")
def index():
    page = ordered_by(WebinarSession.upcoming(current_user), WebinarSession.starts_at,
                      WebinarSession.id, False, request.args.get("after"), PAGE_SIZE)
    bookings = WebinarBooking.with_position([s.id for s in page.rows], current_user.id)
    return render_page_or_fragment("webinars/index.html", "webinars/_session_rows.html",
                                   sessions=page.rows, bookings=bookings,
                                   next_cursor=page.next_cursor, now=utcnow())


def _session_page(session: WebinarSession, status: int = 200):
    return render_template("webinars/show.html", session=session, booking=my_booking(session),
                           now=utcnow(),
                           resources=resources_for(session, current_user)), status


@bp.get("/sessions/<int:session_id>")
def show(session_id):
    return _session_page(get_session_or_404(session_id))


MESSAGES = {
    BOOKED: "You have a place. We have emailed you the details and a calendar file.",
    WAITLISTED: "The session is full, so you are on the waitlist. We will email you if a "
                "seat comes free.",
    OFFERED: "A seat is waiting for you to claim.",
    WITHDRAWN: "You have given up your place.",
}


def _after_booking_action(session_id: int, action):
    """Run a booking action, then answer with the booking panel (and the message for the
    page's status region) or, without htmx, a redirect to the session page."""
    session = get_session_or_404(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    status = 200
    try:
        booking = action(current_user, session.id)
        flash(MESSAGES[booking.status if booking else WITHDRAWN], "success")
    except services.BookingRefused as refused:
        flash(str(refused), "error")
        status = 422
    if not wants_fragment():
        return redirect(url_for("webinars.show", session_id=session.id), 303)
    session = get_session_or_404(session_id)
    return with_flashes(render_template("webinars/_booking.html", session=session,
                                        booking=my_booking(session), now=utcnow())), status


@bp.post("/sessions/<int:session_id>/book")
def book(session_id):
    return _after_booking_action(session_id, services.book_seat)


@bp.post("/sessions/<int:session_id>/cancel")
def cancel(session_id):
    return _after_booking_action(session_id, services.cancel_booking)


@bp.post("/sessions/<int:session_id>/claim")
def claim(session_id):
    return _after_booking_action(session_id, services.claim_offer)
