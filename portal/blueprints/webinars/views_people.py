"""Staff and the people on a session: bookings, the waitlist, attendance and its export."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from peewee import JOIN

from portal import permissions
from portal.blueprints.accounts.models import User
from portal.blueprints.webinars import services_staff, times
from portal.blueprints.webinars.forms import AttendanceForm
from portal.blueprints.webinars.models import (
    BOOKED,
    BOOKING_STATUS_LABELS,
    OFFERED,
    WAITLISTED,
    WebinarBooking,
)
from portal.blueprints.webinars.views import bp
from portal.blueprints.webinars.views_manage import get_managed_session_or_404
from portal.csv_export import csv_response
from portal.db import utcnow
from portal.htmx import wants_fragment, with_flashes


def _people_page(session, status=200):
    people = list(session.people())
    return render_template(
        "webinars/people.html", session=session, status_labels=BOOKING_STATUS_LABELS,
        booked=[b for b in people if b.status == BOOKED],
        offered=[b for b in people if b.status == OFFERED],
        waiting=[b for b in people if b.status == WAITLISTED],
        form=AttendanceForm(formdata=None), now=utcnow()), status


@bp.get("/manage/sessions/<int:session_id>/people")
def people(session_id):
    permissions.require(permissions.can_manage_webinars, current_user)
    return _people_page(get_managed_session_or_404(session_id))


def get_booking_or_404(session, booking_id: int) -> WebinarBooking:
    return (WebinarBooking.select(WebinarBooking, User).join(User, JOIN.INNER)
            .where(WebinarBooking.id == booking_id, WebinarBooking.session == session,
                   WebinarBooking.status == BOOKED).first()) or abort(404)


@bp.post("/manage/sessions/<int:session_id>/attendance/<int:booking_id>")
def attendance(session_id, booking_id):
    permissions.require(permissions.can_manage_webinars, current_user)
    session = get_managed_session_or_404(session_id)
    booking = get_booking_or_404(session, booking_id)
    form = AttendanceForm()
    if not session.has_started():
        form.attended.errors = ["Attendance can be marked once the session has started"]
    elif form.validate_on_submit():
        services_staff.mark_attendance(current_user, booking, form.value())
    else:
        abort(400)
    if form.errors:
        flash(form.attended.errors[0], "error")
    else:
        flash(f"Attendance saved for {booking.user.name}.", "success")
    if wants_fragment():
        return with_flashes(render_template("webinars/_attendance_row.html", session=session,
                                            booking=booking, now=utcnow())), \
            422 if form.errors else 200
    return redirect(url_for("webinars.people", session_id=session.id,
                            _anchor=f"booking-{booking.id}"), 303)


@bp.get("/manage/sessions/<int:session_id>/attendance.csv")
def attendance_csv(session_id):
    permissions.require(permissions.can_manage_webinars, current_user)
    session = get_managed_session_or_404(session_id)
    when = times.fmt_when(session.starts_at)
    rows = ([session.title, when, booking.user.name, booking.user.email,
             booking.user.organisation, BOOKING_STATUS_LABELS[booking.status],
             {True: "Yes", False: "No"}.get(booking.attended, "Not recorded")]
            for booking in session.people().where(WebinarBooking.status == BOOKED))
    return csv_response(f"attendance-{session.id}.csv",
                        ["Session", "Date", "Name", "Email", "Organisation", "Booking",
                         "Attended"], rows)
