"""The HTML of forms not yet submitted, rendered once per process for the same inputs.

Rendering a crispy form costs a template include per field and per option: a quarter of the SWOT board
(four add forms) and a third of the role-row edit page, the two pages stakeholders open most during a
session. An unbound form's HTML is a function of what it shows — its class, ids, language, and for every
field the label, help text, widget and its attributes, the choices with their labels, and the initial
value — so that state is the key: two requests that would render the same HTML share it, and any change
in what the form shows (an organisation renamed, another initial value, the other language) is another
key. A submitted form (with the user's data and errors) is always rendered afresh.

The CSRF token is never part of the stored HTML: the forms render without their <form> tag and token,
and a rendering that contains a token is not kept.
"""

import hashlib
import threading
from collections import OrderedDict

from crispy_forms.utils import render_crispy_form
from django.forms import BoundField, Form
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

MAX_ENTRIES = 512  # per process; a few dozen forms × languages × choice lists in practice

_store: OrderedDict[str, str] = OrderedDict()
_lock = threading.Lock()


def crispy_form_html(form: Form) -> SafeString:
    """`{% crispy form %}` for a form with a simple helper (no layout), from the store when possible."""
    key = _form_key(form)
    if key is None:
        return mark_safe(render_crispy_form(form))  # noqa: S308 - crispy's own output
    return _get_or_render(key, lambda: render_crispy_form(form))


def crispy_field_html(field: BoundField) -> SafeString:
    """`{{ field|as_crispy_field }}`, from the store when possible."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

    key = _field_key(field)
    if key is None:
        return mark_safe(as_crispy_field(field))  # noqa: S308 - crispy's own output
    return _get_or_render(key, lambda: as_crispy_field(field))


def clear() -> None:
    with _lock:
        _store.clear()


def _get_or_render(key: str, render) -> SafeString:
    with _lock:
        html = _store.get(key)
        if html is not None:
            _store.move_to_end(key)
            return mark_safe(html)  # noqa: S308 - crispy's output, stored as rendered
    html = str(render())
    if "csrfmiddlewaretoken" not in html:  # a token belongs to one browser: never share it
        with _lock:
            _store[key] = html
            while len(_store) > MAX_ENTRIES:
                _store.popitem(last=False)
    return mark_safe(html)  # noqa: S308


# -- keys -----------------------------------------------------------------------------------------------


def _digest(state: tuple) -> str:
    return hashlib.blake2b(repr(state).encode(), digest_size=20).hexdigest()


def _helper_state(form: Form) -> tuple | None:
    """The helper's settings, or None when it has a layout or buttons (objects with no stable value)."""
    helper = getattr(form, "helper", None)
    if helper is None:
        return ()
    settings = vars(helper)
    if settings.get("layout") is not None or settings.get("inputs"):
        return None
    if settings.get("form_tag", True) and not settings.get("disable_csrf"):
        return None  # the form would carry its token
    return (
        type(helper).__qualname__,
        tuple(sorted((name, _norm(value)) for name, value in settings.items())),
    )


def _form_state(form: Form) -> tuple | None:
    if form.is_bound:
        return None
    helper = _helper_state(form)
    if helper is None:
        return None
    return (
        type(form).__module__,
        type(form).__qualname__,
        get_language(),
        form.auto_id,
        form.prefix,
        form.use_required_attribute,
        str(form.label_suffix),
        helper,
    )


def _form_key(form: Form) -> str | None:
    state = _form_state(form)
    if state is None:
        return None
    return _digest(("form", state, tuple(_bound_field_state(bf) for bf in form)))


def _field_key(field: BoundField) -> str | None:
    state = _form_state(field.form)
    if state is None:
        return None
    return _digest(("field", state, _bound_field_state(field)))


def _bound_field_state(bf: BoundField) -> tuple:
    field = bf.field
    return (
        bf.name,
        bf.html_name,
        bf.auto_id,
        str(bf.label),
        str(bf.help_text),
        type(field).__qualname__,
        field.required,
        field.disabled,
        field.show_hidden_initial,
        field.localize,
        _widget_state(field.widget),
        _norm(bf.value()),
    )


def _widget_state(widget) -> tuple:
    state = [type(widget).__module__, type(widget).__qualname__, widget.is_hidden, widget.is_required]
    state.append(tuple(sorted((str(name), _norm(value)) for name, value in widget.attrs.items())))
    for name in ("input_type", "format", "allow_multiple_selected", "check_test", "template_name"):
        if hasattr(widget, name):
            state.append((name, _norm(getattr(widget, name))))
    if hasattr(widget, "choices"):
        # Read once and keep the list on the widget: the rendering after a miss uses it, so the form reads
        # its choices (a query for model choices) once per request, as before.
        choices = widget.choices
        if not isinstance(choices, list):  # setting them again would normalise a list that already is
            choices = [choice for choice in choices]  # noqa: C416 - list() would COUNT model choices first
            widget.choices = choices
        state.append(("choices", _norm_choices(choices)))
    for sub in getattr(widget, "widgets", ()):
        state.append(_widget_state(sub))
    return tuple(state)


def _norm_choices(choices: list) -> tuple:
    """`_norm` of a choice list, the short way for flat (value, label) pairs: a select of every organisation
    of a region has a few hundred, and the SWOT board keys four such forms."""
    flat = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # a group of options
            return _norm(choices)
        if not (value is None or type(value) is int or type(value) is str):
            value = (type(value).__name__, str(value))
        flat.append((value, str(label)))
    return tuple(flat)


def _norm(value):
    """A stable, comparable form of a value as rendered: containers element by element, everything else
    by type and text (a model choice's value renders as its key, a lazy label in the active language)."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), _norm(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_norm(v) for v in value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if callable(value) and not isinstance(value, str):
        return (getattr(value, "__module__", ""), getattr(value, "__qualname__", type(value).__qualname__))
    return (type(value).__name__, str(value))
