"""Staff keep the specialisms: areas, their specialisms, and each specialism's workbook
items (what an expert passes on). Items and specialisms are retired, never deleted: sent
requests and started workbooks keep their words. Every page checks can_manage_specialisms
first (403), then loads (404)."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from peewee import fn

from portal import permissions
from portal.blueprints.experts import services_specialisms as svc
from portal.blueprints.experts.forms_manage import AreaForm, ItemForm, SpecialismForm
from portal.blueprints.experts.loaders import (
    get_area_or_404,
    get_item_or_404,
    get_specialism_or_404,
)
from portal.blueprints.experts.models import Specialism, SpecialismArea, WorkbookItem
from portal.blueprints.experts.views import bp
from portal.forms import EmptyForm


def _manager() -> None:
    permissions.require(permissions.can_manage_specialisms, current_user)


@bp.get("/specialisms")
@login_required
def specialisms():
    _manager()
    counts = {sid: n for sid, n in WorkbookItem.select(WorkbookItem.specialism,
                                                          fn.COUNT(WorkbookItem.id))
              .where(WorkbookItem.retired == False)  # noqa: E712
              .group_by(WorkbookItem.specialism).tuples()}
    groups: dict[int, tuple] = {a.id: (a, []) for a in SpecialismArea.ordered()}
    for specialism in Specialism.with_areas(include_retired=True):
        groups[specialism.area.id][1].append(specialism)
    return render_template("experts/specialisms/index.html", groups=list(groups.values()),
                           counts=counts)


@bp.route("/specialisms/areas/new", methods=["GET", "POST"])
@login_required
def new_area():
    _manager()
    return _area_form(None, AreaForm())


@bp.route("/specialisms/areas/<int:area_id>/edit", methods=["GET", "POST"])
@login_required
def edit_area(area_id: int):
    area = get_area_or_404(area_id)
    return _area_form(area, AreaForm(obj=area))


def _area_form(area, form: AreaForm):
    if form.validate_on_submit():
        try:
            area = svc.save_area(current_user, area, form.name.data)
        except svc.SpecialismRefused as refused:
            form.name.errors.append(str(refused))
        else:
            flash(f"The area {area.name} has been saved.", "success")
            return redirect(url_for("experts.specialisms", _anchor=f"area-{area.id}"), 303)
    return render_template("experts/specialisms/area_form.html", form=form, area=area), \
        422 if form.errors else 200


def _specialism_form(specialism=None) -> SpecialismForm:
    form = SpecialismForm(obj=specialism) if specialism else SpecialismForm()
    form.area.choices = [(a.id, a.name) for a in SpecialismArea.ordered()]
    if specialism is not None and not form.is_submitted():
        form.area.data = specialism.area_id
    return form


@bp.route("/specialisms/new", methods=["GET", "POST"])
@login_required
def new_specialism():
    _manager()
    form = _specialism_form()
    if form.validate_on_submit():
        try:
            specialism = svc.save_specialism(current_user, None, form.area.data, form.name.data,
                                             form.description.data or "")
        except svc.SpecialismRefused as refused:
            form.name.errors.append(str(refused))
        else:
            flash(f"{specialism.name} has been added. Now list what its experts pass on.",
                  "success")
            return redirect(url_for("experts.edit_specialism",
                                    specialism_id=specialism.id, _anchor="items"), 303)
    return render_template("experts/specialisms/specialism_form.html", form=form,
                           specialism=None), 422 if form.errors else 200


@bp.route("/specialisms/<int:specialism_id>/edit", methods=["GET", "POST"])
@login_required
def edit_specialism(specialism_id: int):
    specialism = get_specialism_or_404(specialism_id)
    form = _specialism_form(specialism)
    if form.validate_on_submit():
        try:
            svc.save_specialism(current_user, specialism, form.area.data, form.name.data,
                                form.description.data or "")
        except svc.SpecialismRefused as refused:
            form.name.errors.append(str(refused))
        else:
            flash("Changes saved.", "success")
            return redirect(url_for("experts.edit_specialism", specialism_id=specialism.id),
                            303)
    return _specialism_page(specialism, form, ItemForm(formdata=None))


def _specialism_page(specialism, form, item_form):
    items = list(WorkbookItem.of_specialisms([specialism.id], include_retired=True))
    failed = form.errors or item_form.errors
    return render_template("experts/specialisms/specialism_form.html", form=form,
                           specialism=specialism, items=items, item_form=item_form,
                           empty_form=EmptyForm()), 422 if failed else 200


@bp.post("/specialisms/<int:specialism_id>/items")
@login_required
def add_item(specialism_id: int):
    specialism = get_specialism_or_404(specialism_id)
    form = ItemForm()
    if form.validate_on_submit():
        try:
            svc.add_item(current_user, specialism, form.text.data)
        except svc.SpecialismRefused as refused:
            form.text.errors.append(str(refused))
        else:
            flash("The item has been added.", "success")
            return redirect(url_for("experts.edit_specialism", specialism_id=specialism.id,
                                    _anchor="items"), 303)
    return _specialism_page(specialism, _specialism_form(specialism), form)


@bp.route("/specialisms/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(item_id: int):
    item = get_item_or_404(item_id)
    form = ItemForm(obj=item)
    if form.validate_on_submit():
        try:
            svc.edit_item(current_user, item, form.text.data)
        except svc.SpecialismRefused as refused:
            form.text.errors.append(str(refused))
        else:
            flash("The item has been saved.", "success")
            return redirect(url_for("experts.edit_specialism",
                                    specialism_id=item.specialism_id, _anchor="items"), 303)
    return render_template("experts/specialisms/item_form.html", form=form, item=item), \
        422 if form.errors else 200


@bp.post("/specialisms/items/<int:item_id>/retire")
@login_required
def retire_item(item_id: int):
    return _set_item_retired(item_id, True)


@bp.post("/specialisms/items/<int:item_id>/restore")
@login_required
def restore_item(item_id: int):
    return _set_item_retired(item_id, False)


def _set_item_retired(item_id: int, retired: bool):
    item = get_item_or_404(item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    svc.set_item_retired(current_user, item, retired)
    flash(f"“{item.text}” is {'retired: no longer offered' if retired else 'offered again'}.",
          "success")
    return redirect(url_for("experts.edit_specialism", specialism_id=item.specialism_id,
                            _anchor="items"), 303)


@bp.post("/specialisms/<int:specialism_id>/retire")
@login_required
def retire_specialism(specialism_id: int):
    return _set_specialism_retired(specialism_id, True)


@bp.post("/specialisms/<int:specialism_id>/restore")
@login_required
def restore_specialism(specialism_id: int):
    return _set_specialism_retired(specialism_id, False)


def _set_specialism_retired(specialism_id: int, retired: bool):
    specialism = get_specialism_or_404(specialism_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    svc.set_specialism_retired(current_user, specialism, retired)
    flash(f"{specialism.name} is {'retired' if retired else 'offered again'}.", "success")
    return redirect(url_for("experts.edit_specialism", specialism_id=specialism.id), 303)
