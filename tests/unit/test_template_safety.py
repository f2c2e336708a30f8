"""Text a person typed never reaches a page as markup.

Jinja escapes what a template prints, unless the value is marked safe: by `|safe`, by
`Markup(...)`, or by handing it to an NHS.UK macro as `html` (which the macro prints with
`|safe`). The only markup from users that may go through is what nh3 cleaned when it was
saved (the `body_html` columns). These tests read every template and module and fail, with
file and line, on any other value let through; and check that escaping is on at all.
"""
import ast
from pathlib import Path

import pytest
from jinja2 import nodes

PORTAL = Path(__file__).resolve().parents[2] / "portal"
TEMPLATES = PORTAL / "templates"

# Rendered from Markdown and cleaned by nh3 (portal/markup.py) when saved.
SANITISED = {"article.body_html", "comment.body_html", "post.body_html", "item.body_html",
             "programme.description_html", "issue.intro_html"}
# The template's own markup, captured by {% set %}...{% endset %}, which escapes whatever
# it prints.
OWN_MARKUP = {("_partials/shell.html", "logout_form")}
# Functions that build Markup from text they escape first, or (fragments.fill) from HTML
# that templates rendered, with autoescape, into the shared-fragment store.
MARKUP_BUILDERS = {("search.py", "highlight"), ("shell.py", "fill"), ("shell.py", "holes"),
                   ("fragments.py", "csrf_token"), ("fragments.py", "hole"),
                   ("fragments.py", "hole_around"), ("fragments.py", "fill"),
                   ("fragments.py", "_fill"), ("fragments.py", "_source"),
                   ("notifications.py", "badge")}  # keeps a rendered (escaped) template


def source_of(node: nodes.Node) -> str:
    """A readable name for an expression: `post.body_html`, `logout_form`, or its type."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{source_of(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{source_of(node.node)}.{node.arg.value}"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    return type(node).__name__


def is_static(node: nodes.Node) -> bool:
    """A literal written in the template: markup its author wrote, not a person."""
    return isinstance(node, nodes.Const | nodes.TemplateData)


def unsafe_uses(name: str, tree: nodes.Template) -> list[str]:
    found = []

    def fail(node, what):
        found.append(f"portal/templates/{name}:{node.lineno}: {what}")

    for node in tree.find_all(nodes.Filter):
        if node.name == "safe" and source_of(node.node) not in SANITISED:
            fail(node, f"{source_of(node.node)} | safe (only nh3-cleaned HTML may be)")
    for node in tree.find_all(nodes.Pair):
        key = node.key.value if isinstance(node.key, nodes.Const) else None
        if isinstance(key, str) and key.lower() == "html":
            check_html(name, node.value, fail)
    for node in tree.find_all(nodes.Keyword):
        if node.key.lower() == "html":
            check_html(name, node.value, fail)
    for node in tree.find_all(nodes.Call):
        if source_of(node.node).split(".")[-1] == "Markup":
            fail(node, "Markup(...) in a template")
    for node in tree.find_all((nodes.EvalContextModifier, nodes.ScopedEvalContextModifier)):
        for option in node.options:
            if option.key == "autoescape" and not (
                    isinstance(option.value, nodes.Const) and option.value.value):
                fail(node, "{% autoescape false %}")
    return found


def check_html(name: str, value: nodes.Node, fail) -> None:
    source = source_of(value)
    if is_static(value) or source in SANITISED or (name, source) in OWN_MARKUP:
        return
    fail(value, f'"html": {source} (pass a person\'s text as "text")')


def page_templates() -> list[str]:
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*")
                  if p.is_file() and p.suffix in (".html", ".jinja"))


def test_templates_mark_safe_only_what_nh3_cleaned(app):
    problems = []
    for name in page_templates():
        source = (TEMPLATES / name).read_text(encoding="utf-8")
        problems += unsafe_uses(name, app.jinja_env.parse(source, name))
    assert problems == []


def test_code_builds_markup_only_from_escaped_text():
    problems = []
    for path in sorted(PORTAL.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        allowed = {id(node) for function in ast.walk(tree)
                   if isinstance(function, ast.FunctionDef)
                   and (path.name, function.name) in MARKUP_BUILDERS
                   for node in ast.walk(function)}
        for node in ast.walk(tree):
            called = getattr(node, "func", None)
            name = getattr(called, "id", None) or getattr(called, "attr", None)
            if isinstance(node, ast.Call) and name == "Markup" and id(node) not in allowed:
                problems.append(f"{path.relative_to(PORTAL.parent)}:{node.lineno}: Markup(...)")
    assert problems == []


def test_the_scan_catches_each_way_of_letting_text_through(app):
    """The scan itself: each of these would put a person's text on a page as markup."""
    leaks = {
        "name | safe": '{{ user.name | safe }}',
        '"html": user.name': '{{ header({"account": {"items": [{"html": user.name}]}}) }}',
        "html=": '{{ card(html=user.bio) }}',
        "Markup": '{{ Markup(user.bio) }}',
        "autoescape false": '{% autoescape false %}{{ user.bio }}{% endautoescape %}',
    }
    for what, source in leaks.items():
        assert unsafe_uses("leak.html", app.jinja_env.parse(source)), what
    allowed = ('{{ post.body_html | safe }}{{ header({"account": {"items": '
               '[{"text": user.name}, {"html": "<b>Static</b>"}]}}) }}')
    assert unsafe_uses("allowed.html", app.jinja_env.parse(allowed)) == []


@pytest.mark.parametrize("name", ["base.html", "nhsuk/components/header/template.jinja",
                                  "nhsuk/components/footer/template.jinja",
                                  "hub/_comment.html"])
def test_page_templates_and_nhs_macros_are_escaped(app, name):
    assert app.jinja_env.autoescape(name) is True


def test_plain_text_emails_are_not_escaped(app):
    assert app.jinja_env.autoescape("emails/verify.txt") is False


def test_nhs_macros_print_text_as_text(app):
    """What the header's account link shows for a name that looks like markup."""
    with app.test_request_context():
        header = app.jinja_env.from_string(
            '{% from "nhsuk/components/header/macro.jinja" import header %}'
            '{{ header({"account": {"items": [{"href": "/p", "text": name}]}}) }}'
        ).render(name="<script>window.__xss=1</script>")
    assert "<script>" not in header
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in header
