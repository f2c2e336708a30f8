"""Reading the hub: lists, topics, search and the article page, with bookmarks and ratings."""
import json
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal import fragments, permissions, search
from portal.blueprints.hub import services
from portal.blueprints.hub.forms import CommentForm, HideForm, RatingForm, SearchForm
from portal.blueprints.hub.models import Article, ArticleTopic, Comment, Rating
from portal.blueprints.library.models import ArticleResource
from portal.db import in_subquery
from portal.htmx import wants_fragment, with_flashes
from portal.kept import kept
from portal.pagination import newest_first
from portal.taxonomy import Topic

bp = Blueprint("hub", __name__, url_prefix="/hub")
PAGE_SIZE = 20
SEARCH_LIMIT = 50


@bp.before_request
@login_required
def _signed_in_only():
    """The hub is for people with an account; audiences narrow it further."""


def get_article_or_404(slug: str, user=current_user) -> Article:
    """A published article this person (or audience) may read; staff may also preview
    unpublished ones."""
    query = Article.select().where(Article.slug == slug)
    if not permissions.can_manage_articles(user):
        query = Article.visible_to(user).where(Article.slug == slug)
    return query.first() or abort(404)


def _page_of(query) -> dict:
    page = newest_first(query, Article.updated_at, Article.id, request.args.get("after"),
                        PAGE_SIZE)
    Article.with_topics(page.rows)
    return {"articles": page.rows, "next_cursor": page.next_cursor}


def _shared(page: str, fragment: str, context):
    """A hub page as everyone in the person's audience sees it, reused until the hub
    changes."""
    return fragments.shared_page(page, fragment, name=request.endpoint, areas=(fragments.HUB,),
                                 args=fragments.request_args(), context=context)


@bp.get("/")
def index():
    return _shared("hub/index.html", "hub/_article_rows.html", lambda audience: {
        **_page_of(Article.listed_for(audience)), "topics": list(Topic.ordered()),
        "form": _search_form()})


@bp.get("/topics/<slug>")
def topic(slug):
    def context(audience):
        topic = Topic.get_or_none(Topic.slug == slug) or abort(404)
        in_topic = ArticleTopic.select(ArticleTopic.article).where(ArticleTopic.topic == topic)
        return {**_page_of(Article.listed_for(audience).where(
            in_subquery(Article.id, in_topic))), "topic": topic}

    return _shared("hub/topic.html", "hub/_article_rows.html", context)


def _search_form() -> SearchForm:
    form = SearchForm(request.args)
    form.topic.choices = [SelectChoice("", "All topics")] + [
        SelectChoice(t.slug, t.name) for t in Topic.ordered()]
    return form


@bp.get("/search")
def search_articles():
    def context(audience):
        form = _search_form()
        results = []
        if form.validate() and form.q.data:
            results = list(_search(audience, form.q.data, form.topic.data, form.kind.data))
            Article.with_topics(results)
        return {"form": form, "results": results, "q": form.q.data or ""}

    return _shared("hub/search.html", "hub/_search_results.html", context)


def _search(audience, text: str, topic_slug: str | None, kind: str | None):
    hits = search.matches(services.SEARCH_KIND, text)
    if hits is None:
        return []
    hits = hits.alias("hits")
    query = (Article.listed_for(audience)
             .select_extend(hits.c.rank.alias("rank"), hits.c.snippet.alias("snippet"))
             .join(hits, on=(hits.c.object_id == Article.id))
             .order_by(hits.c.rank, Article.id).limit(SEARCH_LIMIT))
    if topic_slug:
        query = query.where(in_subquery(Article.id, (
            ArticleTopic.select(ArticleTopic.article).join(Topic)
            .where(Topic.slug == topic_slug))))
    if kind:
        query = query.where(Article.kind == kind)
    return query.objects()


def _article(article: Article, user) -> dict:
    """What everyone in an audience sees of an article."""
    return {"article": article, "topics": list(article.topics()),
            "contents": json.loads(article.contents),
            "related": list(ArticleResource.related_to(article, user)),
            "comment_form": CommentForm(formdata=None), "hide_form": HideForm()}


def _own_parts(article, rating_form=None, hide_form=None) -> dict:
    """The holes the article page leaves for the person: whether they saved it, the
    rating with theirs, and the comments with what they may do to each."""
    bookmarked, average, count, mine = Rating.with_bookmark(article.id, current_user.id)
    comments = Comment.shown_on(article.id)
    # Forms only for their fields' HTML: the templates write the CSRF token themselves.
    unchecked = {"formdata": None, "meta": {"csrf": False}}

    def render() -> str:
        return render_template(
            "hub/_article_own.html", article=article, bookmarked=bookmarked, average=average,
            rating_count=count, rating_form=rating_form or RatingForm(stars=mine, **unchecked),
            hide_form=hide_form or (HideForm(**unchecked) if comments else None),
            comments=comments)

    if comments or rating_form or hide_form:
        html = render()
    else:
        # Without comments the parts depend only on these values, so a process renders
        # each combination once, with a hole for the token.
        html = fragments.fill(kept(
            "hub_article_own", (request.script_root, article.slug, bookmarked, average,
                                count, mine), lambda: fragments.with_token_hole(render)))
    bookmark, rating, comments = html.split(fragments.SPLIT)
    return {"bookmark": bookmark, "rating": rating, "comments": comments}


def article_page(article: Article, status: int = 200, **forms):
    """The article page, rendered afresh: after a form failed validation (its errors
    show), or for a preview."""
    context = {**_article(article, current_user), **forms}
    html = render_template("hub/article.html", **context)
    return fragments.fill(html, _own_parts(article, forms.get("rating_form"),
                                           context["hide_form"])), status


@bp.get("/articles/<slug>")
def show(slug):
    """The article as everyone in the person's audience sees it, reused until the hub or
    the library changes; the person's own parts are filled in."""
    def context(user):
        article = get_article_or_404(slug, user)
        return {**_article(article, user), "meta": {"id": article.id, "slug": article.slug}}

    return fragments.shared_page(
        "hub/article.html", None, name="hub.show", areas=(fragments.HUB, fragments.LIBRARY),
        args=fragments.request_args(), context=context,
        holes=lambda meta: _own_parts(SimpleNamespace(**meta)))


@bp.post("/articles/<slug>/bookmark")
def bookmark(slug):
    """CSRFProtect checks the token on every POST, form field or X-CSRFToken header."""
    article = get_article_or_404(slug)
    bookmarked = services.toggle_bookmark(current_user, article)
    if wants_fragment():
        flash("Saved for later: it is on your dashboard." if bookmarked
              else "Removed from your saved articles.", "success")
        return with_flashes(render_template("hub/_bookmark.html", article=article,
                                            bookmarked=bookmarked))
    return redirect(url_for("hub.show", slug=slug), 303)


@bp.post("/articles/<slug>/rating")
def rate(slug):
    article = get_article_or_404(slug)
    form = RatingForm()
    if form.validate_on_submit():
        services.rate(current_user, article, form.stars.data)
    elif not wants_fragment():
        return article_page(article, 422, rating_form=form)
    if wants_fragment():
        average, count = Rating.summary_for(article)
        if not form.errors:
            flash("Thank you, your rating is saved.", "success")
        return with_flashes(render_template("hub/_rating.html", article=article,
                                            rating_form=form, average=average,
                                            rating_count=count)), 422 if form.errors else 200
    return redirect(url_for("hub.show", slug=slug, _anchor="rating"), 303)
