"""The data a browser would post from an admin form, read from the page's HTML.

Wagtail's page editor has many fields, formsets and hidden inputs; building their POST by
hand ties a test to every field of the model. Reading the form as rendered keeps a test
about one field about that field. StreamFields are drawn by the editor's script, not in
the HTML: a test gives their data itself (e.g. ``{"body-count": ["0"]}``).

``page_form`` makes a page form's data; ``published_by_a_publisher`` and
``refused_fields`` post it as a publisher would.
"""

from html.parser import HTMLParser

from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data

from portal.organisation.roles import Role
from tests.factories import make_client_staff


def add_page_url(parent, model) -> str:
    """The admin's form for a new ``model`` page under ``parent``."""
    meta = model._meta
    return reverse("wagtailadmin_pages:add", args=[meta.app_label, meta.model_name, parent.pk])


def page_form(fields: dict, **overrides) -> dict:
    """A page form's data: ``fields`` with ``overrides`` (``None`` leaves a field out),
    nested as Wagtail's editor posts it."""
    data = fields | overrides
    return nested_form_data({name: value for name, value in data.items() if value is not None})


def published_by_a_publisher(client, parent, model, data):
    """A publisher posts ``data`` as a new ``model`` page under ``parent`` and publishes
    it; the publisher."""
    publisher = make_client_staff(role=Role.CLIENT_PUBLISHER)
    client.force_login(publisher)
    response = client.post(add_page_url(parent, model), {**data, "action-publish": "publish"})
    assert response.status_code == 302, response.context["form"].errors
    return publisher


def refused_fields(client, parent, model, data) -> list[str]:
    """A publisher posts ``data`` as a new ``model`` page under ``parent``: the form comes
    back refused and no such page exists. The fields the form names as wrong."""
    client.force_login(make_client_staff(role=Role.CLIENT_PUBLISHER))
    response = client.post(add_page_url(parent, model), data)
    assert response.status_code == 200
    assert not model.objects.exists()
    return list(response.context["form"].errors)


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._multiple = False
        self._option: str | None = None
        self._option_selected = False
        self._select_first: dict[str, str] = {}
        self._textarea: str | None = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image"):
                self.data.setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._multiple = "multiple" in attrs
            self.data.setdefault(name, [])
        elif tag == "option" and self._select:
            self._option = attrs.get("value")
            self._option_selected = "selected" in attrs
            self._text = []
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []

    def handle_data(self, data):
        if self._textarea or self._option is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "option" and self._select:
            value = self._option if self._option is not None else "".join(self._text).strip()
            self._select_first.setdefault(self._select, value)
            if self._option_selected:
                self.data[self._select].append(value)
            self._option = None
        elif tag == "select" and self._select:
            # A browser sends the first option of a single select when none is marked.
            single = not self._multiple
            if single and not self.data[self._select] and self._select in self._select_first:
                self.data[self._select].append(self._select_first[self._select])
            self._select = None
        elif tag == "textarea" and self._textarea:
            value = "".join(self._text)
            # A textarea's content starts after one newline, which HTML drops.
            self.data.setdefault(self._textarea, []).append(value.removeprefix("\n"))
            self._textarea = None


def form_data(html: str, form_id: str = "page-edit-form") -> dict[str, list[str]]:
    """{name: [values]} of the form ``form_id`` in ``html``, as a browser would send it."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return {name: values for name, values in reader.data.items() if values}
