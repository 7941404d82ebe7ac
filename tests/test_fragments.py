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
