"""``{% memo %}`` keeps markup per process; ``{% fresh %}`` holes in it are drawn on every load."""

import pytest
from django.template import Context, Engine, TemplateSyntaxError

from helpdesk.templatetags import fragments

ENGINE = Engine(
    libraries={"fragments": "helpdesk.templatetags.fragments"},
    loaders=[
        (
            "django.template.loaders.locmem.Loader",
            {"name.html": "{% load fragments %}<b>{% fresh %}{{ name }}{% endfresh %}</b>"},
        )
    ],
)


class Counter:
    """Counts how often the memo's markup is drawn (each draw reads it once)."""

    def __init__(self):
        self.draws = 0

    def __str__(self) -> str:
        self.draws += 1
        return "static"


@pytest.fixture(autouse=True)
def empty_store():
    fragments._FRAGMENTS.clear()
    yield
    fragments._FRAGMENTS.clear()


def _render(source: str, **context) -> str:
    return ENGINE.from_string("{% load fragments %}" + source).render(Context(context))


def test_the_markup_is_drawn_once_and_the_fresh_holes_every_time():
    counter = Counter()
    source = (
        '{% memo "t" %}<p>{{ counter }} {% fresh %}{{ name }}{% endfresh %}/'
        "{% fresh %}{{ n }}{% endfresh %}</p>{% endmemo %}"
    )

    first = _render(source, counter=counter, name="Ann", n=1)
    second = _render(source, counter=counter, name="<Bob>", n=2)

    assert first == "<p>static Ann/1</p>"
    assert second == "<p>static &lt;Bob&gt;/2</p>"
    assert counter.draws == 1


def test_a_memo_varies_on_its_values_and_redraws_on_a_new_version():
    counter = Counter()
    source = '{% memo "v" kind version v %}{{ counter }}{{ kind }}{% endmemo %}'

    assert _render(source, counter=counter, kind="a", v="1") == "statica"
    assert _render(source, counter=counter, kind="b", v="1") == "staticb"
    assert _render(source, counter=counter, kind="a", v="1") == "statica"
    assert counter.draws == 2
    assert _render(source, counter=counter, kind="a", v="2") == "statica"
    assert counter.draws == 3


def test_fresh_holes_in_an_included_template_and_a_nested_memo_stay_fresh():
    source = (
        '{% memo "outer" %}[{% include "name.html" %}|'
        '{% memo "inner" %}<i>{% fresh %}{{ n }}{% endfresh %}</i>{% endmemo %}]{% endmemo %}'
    )

    assert _render(source, name="Ann", n=1) == "[<b>Ann</b>|<i>1</i>]"
    assert _render(source, name="Bob", n=2) == "[<b>Bob</b>|<i>2</i>]"
    # The inner memo, once kept on its own, is still a hole in the outer one.
    fragments._FRAGMENTS.pop(next(key for key in fragments._FRAGMENTS if key[0] == '"outer"'))
    assert _render(source, name="Cy", n=3) == "[<b>Cy</b>|<i>3</i>]"


def test_a_fresh_hole_in_a_loop_is_refused():
    source = '{% memo "loop" %}{% for n in numbers %}{% fresh %}{{ n }}{% endfresh %}{% endfor %}{% endmemo %}'

    with pytest.raises(TemplateSyntaxError):
        _render(source, numbers=[1, 2])


def test_outside_a_memo_fresh_just_draws():
    assert _render("{% fresh %}{{ n }}{% endfresh %}", n=7) == "7"


PAGES = {
    "base.html": (
        '{% load fragments %}<title>{% block title %}T{% endblock %}</title>{% memo "nav" kind %}'
        "<nav>{{ counter }}{{ kind }} {% fresh %}{{ name }}{% endfresh %}</nav>{% endmemo %}"
        "{% fresh %}{% for message in notes %}<p>{{ message }}</p>{% endfor %}{% endfresh %}"
        "{% block content %}{% endblock %}"
    ),
    "page.html": (
        '{% extends "base.html" %}{% load fragments %}{% block title %}Page{% endblock %}'
        '{% block content %}{% memo "body" sort %}<main>{{ sort }} {% fresh %}{{ rows }}{% endfresh %}'
        "</main>{% endmemo %}{% endblock %}"
    ),
    "unversioned.html": (
        '{% load fragments %}{% memo "u" version v %}{{ counter }}{% endmemo %}{% fresh %}{{ name }}{% endfresh %}'
    ),
}


@pytest.fixture
def pages(settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [("django.template.loaders.locmem.Loader", PAGES)],
                "libraries": {"fragments": "helpdesk.templatetags.fragments"},
            },
        }
    ]
    yield
    fragments._PAGES.clear()


def _page(rf, template="page.html", **context) -> str:
    response = fragments.render_page(rf.get("/"), template, context)
    assert response.status_code == 200
    return response.content.decode()


def test_a_page_is_drawn_once_per_memo_keys_and_its_holes_every_time(rf, pages):
    counter = Counter()
    base = {"counter": counter, "notes": []}

    first = _page(rf, **base, kind="agent", name="Ann", sort="priority", rows="r1")
    second = _page(rf, **{**base, "notes": ["saved"]}, kind="agent", name="<Bob>", sort="priority", rows="r2")

    assert first == "<title>Page</title><nav>staticagent Ann</nav><main>priority r1</main>"
    assert second == "<title>Page</title><nav>staticagent &lt;Bob&gt;</nav><p>saved</p><main>priority r2</main>"
    assert counter.draws == 1
    # Another value of a memo in it: another drawing of the page, kept beside the first.
    manager = _page(rf, **base, kind="manager", name="Erin", sort="priority", rows="r3")
    assert manager == "<title>Page</title><nav>staticmanager Erin</nav><main>priority r3</main>"
    assert _page(rf, **base, kind="agent", name="Cy", sort="updated", rows="r4").endswith("<main>updated r4</main>")
    assert _page(rf, **base, kind="agent", name="Di", sort="priority", rows="r5").startswith(
        "<title>Page</title><nav>staticagent Di</nav>"
    )
    # The nav drawn for agents and for managers; the page for (agent, priority), (manager,
    # priority) and (agent, updated), the last one taken from the store.
    assert counter.draws == 2
    assert [len(variants) for variants in fragments._PAGES.values()] == [3]


def test_a_page_with_a_memo_that_keeps_nothing_is_not_kept(rf, pages):
    counter = Counter()

    assert _page(rf, "unversioned.html", counter=counter, v="", name="Ann") == "staticAnn"
    assert _page(rf, "unversioned.html", counter=counter, v="", name="Bob") == "staticBob"
    assert counter.draws == 2
    assert not fragments._PAGES


def test_an_edited_template_is_drawn_again_under_runserver(tmp_path):
    from django.utils.autoreload import file_changed

    counter = Counter()
    source = '{% memo "edited" %}{{ counter }}{% endmemo %}'
    _render(source, counter=counter)
    fragments._PAGES[("page.html", "en", "/")] = []

    file_changed.send(sender=None, file_path=tmp_path / "views.py")  # code: runserver restarts
    assert fragments._FRAGMENTS and fragments._PAGES
    file_changed.send(sender=None, file_path=tmp_path / "queue.html")

    assert not fragments._FRAGMENTS and not fragments._PAGES
    _render(source, counter=counter)
    assert counter.draws == 2
