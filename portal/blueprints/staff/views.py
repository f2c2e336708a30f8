"""The staff area: people and their roles, suspensions, and groups."""
import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import branding, permissions, settings
from portal.blueprints.accounts import services as account_services
from portal.blueprints.accounts.models import ROLE_LABELS, User
from portal.blueprints.staff import moderation, services, todo
from portal.blueprints.staff.forms import (
    AddMemberForm,
    GroupForm,
    RoleForm,
    SearchForm,
    SettingsForm,
    SuspendForm,
)
from portal.blueprints.webinars.models import SCHEDULED, WebinarSession
from portal.db import utcnow
from portal.forms import EmptyForm
from portal.groups import Group
from portal.htmx import render_page_or_fragment, wants_fragment, with_flashes
from portal.outbox import counts_by_status
from portal.reports import open_report_count

bp = Blueprint("staff", __name__, url_prefix="/staff")
PAGE_SIZE = 50


@bp.before_request
@login_required
def _staff_only():
    permissions.require(permissions.can_view_staff_area, current_user)


def get_person_or_404(person_id: int) -> User:
    return User.get_or_none(User.id == person_id) or abort(404)


def get_group_or_404(group_id: int) -> Group:
    return Group.get_or_none(Group.id == group_id) or abort(404)


@bp.get("/")
def index():
    upcoming = (WebinarSession.for_staff()
                .where(WebinarSession.status == SCHEDULED, WebinarSession.ends_at > utcnow())
                .order_by(WebinarSession.starts_at, WebinarSession.id).limit(5))
    now = utcnow()
    return render_template(
        "staff/index.html", todo=todo.items(current_user, dt.date.today(), now),
        people=User.select().count(), groups=Group.select().count(),
        outbox=counts_by_status(), open_reports=open_report_count(),
        held=moderation.held_count(), upcoming=list(upcoming),
        recent_people=list(User.search().limit(5)))


@bp.get("/people")
def people():
    permissions.require(permissions.can_view_people, current_user)
    form = SearchForm(request.args)
    query = form.q.data.strip() if form.validate() and form.q.data else ""
    after = request.args.get("after", type=int)
    rows = list(User.search(query, after=after).limit(PAGE_SIZE + 1))
    return render_page_or_fragment("staff/people.html", "staff/_people_rows.html",
                                   form=form, q=query, people=rows[:PAGE_SIZE],
                                   more=len(rows) > PAGE_SIZE)


@bp.get("/people/<int:person_id>")
def person(person_id):
    permissions.require(permissions.can_view_people, current_user)
    person = get_person_or_404(person_id)
    return render_template("staff/person.html", person=person,
                           role_form=RoleForm(role=person.role), suspend_form=SuspendForm(),
                           empty_form=EmptyForm())


@bp.post("/people/<int:person_id>/role")
def change_role(person_id):
    permissions.require(permissions.can_view_people, current_user)
    person = get_person_or_404(person_id)
    permissions.require(permissions.can_change_role, current_user, person)
    form = RoleForm()
    if not form.validate_on_submit():
        return render_template("staff/person.html", person=person, role_form=form,
                               suspend_form=SuspendForm(), empty_form=EmptyForm()), 422
    account_services.change_role(current_user, person, form.role.data)
    flash(f"{person.name} is now {ROLE_LABELS[form.role.data].lower()}.", "success")
    return redirect(url_for("staff.person", person_id=person.id), 303)


@bp.post("/people/<int:person_id>/suspend")
def suspend(person_id):
    permissions.require(permissions.can_view_people, current_user)
    person = get_person_or_404(person_id)
    permissions.require(permissions.can_suspend, current_user, person)
    form = SuspendForm()
    if not form.validate_on_submit():
        return render_template("staff/person.html", person=person, suspend_form=form,
                               role_form=RoleForm(role=person.role), empty_form=EmptyForm()), 422
    until = dt.datetime.combine(form.until.data, dt.time.min)
    account_services.suspend(current_user, person, until, form.reason.data.strip())
    flash(f"{person.name} cannot post or comment until {form.until.data:%-d %B %Y}.", "success")
    return redirect(url_for("staff.person", person_id=person.id), 303)


@bp.post("/people/<int:person_id>/unsuspend")
def unsuspend(person_id):
    permissions.require(permissions.can_view_people, current_user)
    person = get_person_or_404(person_id)
    permissions.require(permissions.can_suspend, current_user, person)
    if EmptyForm().validate_on_submit():
        account_services.lift_suspension(current_user, person)
        flash(f"{person.name} can post again.", "success")
    return redirect(url_for("staff.person", person_id=person.id), 303)


@bp.route("/settings", methods=["GET", "POST"])
def site_settings():
    permissions.require(permissions.can_change_settings, current_user)
    form = SettingsForm(data=settings.all_settings())
    if form.validate_on_submit():
        services.save_settings(current_user, form.setting_values(), logo=form.new_logo)
        flash("Settings saved.", "success")
        return redirect(url_for("staff.site_settings"), 303)
    return render_template("staff/settings.html", form=form, specs=settings.SPECS,
                           logo_url=branding.current().logo_url), 422 if form.errors else 200


@bp.get("/groups")
def groups():
    permissions.require(permissions.can_manage_groups, current_user)
    return render_template("staff/groups.html", groups=list(Group.with_member_counts()))


@bp.route("/groups/new", methods=["GET", "POST"])
def new_group():
    permissions.require(permissions.can_manage_groups, current_user)
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = services.create_group(current_user, form.name.data, form.description.data)
        except services.DuplicateGroup:
            form.name.errors.append("A group with this name already exists")
        else:
            flash(f"Group “{group.name}” created.", "success")
            return redirect(url_for("staff.group", group_id=group.id), 303)
    return render_template("staff/group_form.html", form=form, group=None), \
        422 if form.errors else 200


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
def edit_group(group_id):
    permissions.require(permissions.can_manage_groups, current_user)
    group = get_group_or_404(group_id)
    form = GroupForm(obj=group, group=group)
    if form.validate_on_submit():
        try:
            services.update_group(current_user, group, form.name.data, form.description.data)
        except services.DuplicateGroup:
            form.name.errors.append("A group with this name already exists")
        else:
            flash("Group saved.", "success")
            return redirect(url_for("staff.group", group_id=group.id), 303)
    return render_template("staff/group_form.html", form=form, group=group), \
        422 if form.errors else 200


@bp.get("/groups/<int:group_id>")
def group(group_id):
    permissions.require(permissions.can_manage_groups, current_user)
    group = get_group_or_404(group_id)
    return render_template("staff/group.html", group=group, members=list(group.members()),
                           form=AddMemberForm(), empty_form=EmptyForm())


@bp.post("/groups/<int:group_id>/members")
def add_member(group_id):
    permissions.require(permissions.can_manage_groups, current_user)
    group = get_group_or_404(group_id)
    form = AddMemberForm()
    if not form.validate_on_submit():
        return render_template("staff/group.html", group=group, members=list(group.members()),
                               form=form, empty_form=EmptyForm()), 422
    if services.add_member(current_user, group, form.person):
        flash(f"{form.person.name} added to {group.name}.", "success")
    else:
        flash(f"{form.person.name} is already in {group.name}.", "info")
    return redirect(url_for("staff.group", group_id=group.id), 303)


@bp.post("/groups/<int:group_id>/members/<int:person_id>/remove")
def remove_member(group_id, person_id):
    permissions.require(permissions.can_manage_groups, current_user)
    group = get_group_or_404(group_id)
    person = User.get_or_none(User.id == person_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.remove_member(current_user, group, person)
    flash(f"{person.name} removed from {group.name}.", "success")
    if wants_fragment():  # the row goes (empty swap); count and message come out of band
        return with_flashes(render_template("staff/_member_removed.html",
                                            count=group.members().count(), oob=True))
    return redirect(url_for("staff.group", group_id=group.id), 303)
