"""A learner asks for an introduction (one or several experts at once, ticking what they
want to learn), then follows each request: accepted (with the way into the pair's space),
waiting, or not this time, with other experts for the same items."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import settings
from portal.blueprints.experts import availability, directory
from portal.blueprints.experts import services_introductions as svc
from portal.blueprints.experts.forms import AskForm
from portal.blueprints.experts.loaders import get_introduction_or_404, get_learner_request_or_404
from portal.blueprints.experts.models import (
    DECLINED,
    EXPIRED,
    REQUEST_STATUS_LABELS,
    Expert,
    Introduction,
    IntroductionRequest,
    RequestItem,
    Specialism,
    WorkbookItem,
)
from portal.blueprints.experts.views import bp
from portal.db import utcnow
from portal.forms import EmptyForm


def _offered(ids: list[int], now) -> list[Expert]:
    """The listed experts among `ids`, with their specialisms (two queries)."""
    experts = list(Expert.listed(now).where(Expert.id.in_(ids or [0])).order_by(Expert.id))
    return directory.attach_specialisms(experts)


def _item_groups(experts: list[Expert]) -> list[tuple[Specialism, list[WorkbookItem]]]:
    """The items of the experts' specialisms, by specialism: one query."""
    ids = {s.id for e in experts for s in e.specialism_list}
    groups: dict[int, tuple[Specialism, list[WorkbookItem]]] = {}
    for item in WorkbookItem.of_specialisms(ids):
        groups.setdefault(item.specialism.id, (item.specialism, []))[1].append(item)
    return list(groups.values())


def _ask_form(now) -> tuple[AskForm, list[Expert], list]:
    if request.method == "POST":
        form = AskForm()
        ids = form.offered.data or form.experts.data or []
    else:
        ids = [int(v) for v in request.args.getlist("expert") if v.isdigit()][:20]
        form = AskForm(formdata=None, data={
            "experts": ids, "offered": ids,
            "items": [int(v) for v in request.args.getlist("item") if v.isdigit()]})
    experts = [e for e in _offered(ids, now) if e.user_id != current_user.id]
    groups = _item_groups(experts)
    form.experts.choices = [(e.id, f"{e.user.name}") for e in experts]
    form.items.choices = [(i.id, i.text) for _, items in groups for i in items]
    form.offered.data = [e.id for e in experts]
    return form, experts, groups


@bp.route("/ask", methods=["GET", "POST"])
@login_required
def ask():
    now = utcnow()
    form, experts, groups = _ask_form(now)
    if form.validate_on_submit():
        try:
            introduction = svc.ask(current_user, svc.Ask(
                expert_ids=form.experts.data, item_ids=form.items.data,
                wants=form.wants.data, for_what=form.for_what.data or ""), now=now)
        except svc.IntroductionRefused as refused:
            form.form_errors.append(str(refused))
        else:
            names = [e.user.name for e in experts if e.id in set(form.experts.data)]
            flash(f"Your request has gone to {' and '.join(names)}. We will email you when "
                  "they answer.", "success")
            return redirect(url_for("experts.introduction",
                                    introduction_id=introduction.id), 303)
    failed = request.method == "POST"
    return render_template("experts/ask.html", form=form, experts=experts, groups=groups,
                           chosen=bool(request.values.getlist("expert")
                                       or request.values.getlist("offered")),
                           days=settings.get("expert_request_days")), 422 if failed else 200


@bp.get("/introductions")
@login_required
def introductions():
    rows = list(IntroductionRequest.with_people()
                .where(Introduction.learner == current_user.id)
                .order_by(Introduction.created_at.desc(), Introduction.id.desc(),
                          IntroductionRequest.id))
    by_introduction: dict[int, tuple[Introduction, list]] = {}
    for row in rows:
        by_introduction.setdefault(row.introduction.id, (row.introduction, []))[1].append(row)
    return render_template("experts/introductions.html", introductions=list(
        by_introduction.values()), now=utcnow(), labels=REQUEST_STATUS_LABELS)


@bp.get("/introductions/<int:introduction_id>")
@login_required
def introduction(introduction_id: int):
    intro = get_introduction_or_404(introduction_id)
    now = utcnow()
    rows = list(IntroductionRequest.with_people()
                .where(IntroductionRequest.introduction == intro.id)
                .order_by(IntroductionRequest.id))
    items = RequestItem.by_request([r.id for r in rows])
    closed = [r for r in rows if r.state(now) in (DECLINED, EXPIRED)]
    wanted = sorted({i.id for r in closed for i in items[r.id]})
    others = svc.other_experts(intro, wanted, now) if closed else []
    return render_template("experts/introduction.html", introduction=intro, rows=rows,
                           items=items, closed=closed, others=others, wanted=wanted, now=now,
                           describe=availability.describe, empty_form=EmptyForm(),
                           labels=REQUEST_STATUS_LABELS)


@bp.post("/requests/<int:request_id>/withdraw")
@login_required
def withdraw(request_id: int):
    row = get_learner_request_or_404(request_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        svc.withdraw(current_user, row.id)
    except svc.IntroductionRefused as refused:
        flash(str(refused), "error")
    else:
        flash(f"Your request to {row.expert.user.name} has been withdrawn.", "success")
    return redirect(url_for("experts.introduction", introduction_id=row.introduction_id), 303)
