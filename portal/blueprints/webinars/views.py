"""Finding and booking webinar sessions: the list, a session's page, and one-click book,
cancel and claim (htmx swaps the booking panel in place; without JavaScript the same forms
post and redirect)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import fragments
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
from portal.htmx import wants_fragment, with_flashes
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


def _list(user) -> dict:
    """The upcoming sessions, as `user` (the person, or their audience) sees them."""
    now, shared = utcnow(), isinstance(user, fragments.Audience)
    page = ordered_by(WebinarSession.upcoming(user, now, with_mine=not shared),
                      WebinarSession.starts_at, WebinarSession.id, False,
                      request.args.get("after"), PAGE_SIZE)
    bookings = {} if shared else WebinarBooking.with_position([s.id for s in page.rows],
                                                              user.id)
    return {"sessions": page.rows, "bookings": bookings, "next_cursor": page.next_cursor,
            "now": now, "valid_until": WebinarSession.next_change(page.rows, now)}


@bp.get("/")
def index():
    """The list as everyone in the person's audience sees it, or, for someone with a place
    or a waitlist spot, as they alone see it; kept until a webinar or booking changes or
    the time passes when a session's booking closes, its link appears, it starts or ends."""
    return fragments.shared_page(
        "webinars/index.html", "webinars/_session_rows.html", name="webinars.index",
        areas=(fragments.WEBINARS,), args=fragments.request_args(), context=_list,
        person=WebinarBooking.holds_any(current_user.id))


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
