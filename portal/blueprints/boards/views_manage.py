"""Staff set up the boards: name, description, audience and order."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import audience, permissions
from portal.blueprints.boards import services
from portal.blueprints.boards.forms import BoardForm
from portal.blueprints.boards.models import Board
from portal.blueprints.boards.views import bp
from portal.groups import Group


def get_managed_board_or_404(board_id: int) -> Board:
    """Any board, whatever its audience, for the people who set boards up."""
    return Board.get_or_none(Board.id == board_id) or abort(404)


def _board_form(board: Board | None = None) -> BoardForm:
    form = BoardForm(obj=board)
    form.groups.choices = [SelectChoice(g.id, g.name) for g in Group.select().order_by(Group.name)]
    if board is not None and request.method == "GET":
        form.groups.data = audience.group_ids(board)
    return form


def _save(form: BoardForm, board: Board | None) -> Board:
    return services.save_board(current_user, board, name=form.name.data,
                               description=form.description.data or "",
                               audience_value=form.audience.data,
                               group_ids=form.groups.data or [], position=form.position.data)


@bp.get("/manage")
def manage():
    permissions.require(permissions.can_manage_boards, current_user)
    return render_template("boards/manage.html",
                           boards=list(Board.select().order_by(Board.position, Board.name)),
                           audiences=dict(audience.CHOICES))


@bp.route("/manage/new", methods=["GET", "POST"])
def new_board():
    permissions.require(permissions.can_manage_boards, current_user)
    form = _board_form()
    if form.validate_on_submit():
        board = _save(form, None)
        flash(f"Board “{board.name}” created.", "success")
        return redirect(url_for("boards.manage"), 303)
    return render_template("boards/board_form.html", form=form, board=None), \
        422 if form.errors else 200


@bp.route("/manage/<int:board_id>/edit", methods=["GET", "POST"])
def edit_board(board_id):
    permissions.require(permissions.can_manage_boards, current_user)
    board = get_managed_board_or_404(board_id)
    form = _board_form(board)
    if form.validate_on_submit():
        _save(form, board)
        flash(f"Board “{board.name}” saved.", "success")
        return redirect(url_for("boards.manage"), 303)
    return render_template("boards/board_form.html", form=form, board=board), \
        422 if form.errors else 200
