"""Filling a stored fragment's holes (portal/fragments.fill): what each person sees in place
of each hole, whether the fragment is split afresh or kept split by the process."""
import pytest
from flask import Flask
from markupsafe import Markup

from portal import csrf, fragments
from portal.fragments import EMPTY, Only, hole, hole_around

# A thread-like fragment: two posts, each with a "new" mark, and actions that show for
# someone else unless filled for their author; a token inside the actions; the header name.
PAGE = (f"<p>{hole('name')}</p>"
        + "".join(f'<li class="post{hole("post-new", i)}">'
                  + str(hole_around("post-own", i, Markup(
                      f'<a>Report {i}</a><input value="{fragments.CSRF_HOLE}">')))
                  + "</li>" for i in (1, 2))
        + f"<footer>{fragments.CSRF_HOLE}</footer>")


@pytest.fixture
def request_context(monkeypatch):
    tokens = []

    def token():
        tokens.append("t")
        return "TOKEN"

    monkeypatch.setattr(csrf, "token", token)
    with Flask("holes").test_request_context():
        yield tokens


@pytest.mark.parametrize("keep", [False, True], ids=["split afresh", "kept split"])
def test_each_hole_gets_this_persons_value(request_context, keep):
    holes = {"name": lambda _: "Ann", "post-new": Only({"2": " post--new"}),
             "post-own": Only({"2": lambda otherwise: f"<a>Edit 2</a>[{otherwise}]"})}
    for _ in range(2):  # the second fill of a kept fragment reuses its pieces
        html = fragments.fill(PAGE, holes, keep=keep)
        assert html == ('<p>Ann</p><li class="post"><a>Report 1</a><input value="TOKEN"></li>'
                        '<li class="post post--new"><a>Edit 2</a>[<a>Report 2</a>'
                        '<input value="TOKEN">]</li><footer>TOKEN</footer>')
    assert request_context == ["t", "t"]  # the token is worked out once a fill


def test_empty_kinds_show_nothing_or_what_shows_otherwise(request_context):
    html = fragments.fill(PAGE, {"name": "Bo", "post-new": EMPTY, "post-own": Only()})
    assert html == ('<p>Bo</p><li class="post"><a>Report 1</a><input value="TOKEN"></li>'
                    '<li class="post"><a>Report 2</a><input value="TOKEN"></li>'
                    '<footer>TOKEN</footer>')
    assert "tandem" not in fragments.fill(PAGE, {"name": "Bo", "post-new": Only(),
                                                  "post-own": EMPTY})


def test_a_hole_nobody_fills_is_an_error_not_a_gap(request_context):
    with pytest.raises(KeyError):
        fragments.fill(PAGE, {"name": "Bo", "post-new": EMPTY})


def test_text_without_holes_is_returned_as_it_is(request_context):
    assert fragments.fill("<p>No holes</p>", keep=True) == "<p>No holes</p>"


def test_a_persons_part_filled_first_and_the_rest_later_gives_the_same_page(request_context):
    """A page kept with the person's own holes filled leaves only the header's and the
    token's for each request; the token in their actions stays a hole until then."""
    own = {"post-new": Only({"2": " post--new"}),
           "post-own": Only({"2": Markup(f'<a>Edit 2</a><input value="{fragments.CSRF_HOLE}">')})}
    resolved = fragments._resolve(fragments._split(PAGE), own)
    assert {piece[0] for piece in resolved if type(piece) is not str} == {"name", "csrf"}
    expected = ('<p>Ann</p><li class="post"><a>Report 1</a><input value="TOKEN"></li>'
                '<li class="post post--new"><a>Edit 2</a><input value="TOKEN"></li>'
                '<footer>TOKEN</footer>')
    assert fragments._fill(resolved, {"name": "Ann"}) == expected
    assert fragments.fill(PAGE, {"name": "Ann", **own}) == expected
    assert request_context == ["t", "t"]


def test_holes_inside_a_hole_filled_later_are_filled_first(request_context):
    page = "<p>" + str(hole_around("late", "", Markup(f"<b>{hole('early')}</b>"))) + "</p>"
    resolved = fragments._resolve(fragments._split(page), {"early": "now"})
    assert fragments._fill(resolved, {"late": EMPTY}) == "<p><b>now</b></p>"
    assert fragments._fill(resolved, {"late": lambda _arg, inside: f"[{inside}]"}) == (
        "<p>[<b>now</b>]</p>")
