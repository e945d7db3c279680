"""Helpers shared by every app's list, detail and form pages (imports no app).

Lists: ``list_context`` filters, sorts by a whitelisted column and paginates a scoped queryset;
``export_xlsx`` writes the same rows with a django-import-export resource. Forms: ``style_form``
gives widgets their Bootstrap classes; ``apply_validation_error`` puts a service's errors on
the fields.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import tablib
from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from devzone.imports_values import escape_formula

PAGE_SIZE = 50
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """A table column; ``order`` (ORM field paths) makes it sortable under ``key``."""

    label: str
    key: str | None = None
    order: tuple[str, ...] = field(default_factory=tuple)
    numeric: bool = False


def apply_sort(
    request: HttpRequest, queryset: QuerySet, columns: Sequence[Column], default: str
) -> tuple[QuerySet, list[dict[str, object]]]:
    """Order ``queryset`` by the whitelisted ``sort`` parameter and build the table headers.

    Only the keys of ``columns`` are accepted (``-key`` for descending); anything else falls back
    to ``default``. Nulls sort last either way; the primary key breaks ties so pages are stable.
    """
    sortable = {c.key: c for c in columns if c.key}
    raw = request.GET.get("sort", "") or default
    key = raw.lstrip("-")
    if key not in sortable:
        raw, key = default, default.lstrip("-")
    descending = raw.startswith("-")
    ordering = [
        F(path).desc(nulls_last=True) if descending else F(path).asc(nulls_last=True)
        for path in sortable[key].order
    ]
    queryset = queryset.order_by(*ordering, "-pk" if descending else "pk")

    headers = []
    for column in columns:
        header: dict[str, object] = {"label": column.label, "numeric": column.numeric}
        if column.key:
            params = request.GET.copy()
            params.pop("page", None)
            active = column.key == key
            params["sort"] = f"-{column.key}" if active and not descending else column.key
            header.update(
                url="?" + params.urlencode(),
                state=("desc" if descending else "asc") if active else "",
            )
        headers.append(header)
    return queryset, headers


class CappedPaginator(Paginator):
    """A paginator that counts at most ``cap`` rows, for lists that may hold millions.

    ``count`` is exact up to ``cap``; above it ``count`` is ``cap`` and ``capped`` is true, so the
    pages stop at ``cap / per_page`` (the page says "共 10000+ 条": filter to see the rest). The
    count is ``SELECT COUNT(*) FROM (SELECT id ... LIMIT cap + 1)`` without the list's order,
    which stays cheap on a million rows where an exact COUNT(*) is not.
    """

    def __init__(self, object_list, per_page, *, cap: int, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _rows_up_to_cap(self) -> int:
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._rows_up_to_cap, self.cap)

    @property
    def capped(self) -> bool:
        return self._rows_up_to_cap > self.cap


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    per_page: int = PAGE_SIZE,
    *,
    count_cap: int | None = None,
) -> Page:
    """One page of rows; a bad or out-of-range ``page`` shows the nearest valid page.

    With ``count_cap`` the total is counted up to that many rows only (``CappedPaginator``).
    """
    if count_cap is not None:
        return CappedPaginator(queryset, per_page, cap=count_cap).get_page(request.GET.get("page"))
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def page_links(page: Page) -> list[object]:
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


def filter_form_fields(filterset, names: Sequence[str]) -> list[forms.BoundField]:
    """The bound fields of a filter form to show, styled for Bootstrap, empty choice = 全部."""
    form = filterset.form
    style_form(form, compact=True)
    return [form[name] for name in names]


def set_select(form: forms.Form, name: str, choices: Sequence[tuple[str, str]], empty: str):
    """Turn a free-text filter into a dropdown of the values the user may see."""
    form.fields[name].widget = forms.Select(
        choices=[("", empty), *choices], attrs={"class": "form-select form-select-sm"}
    )


def xlsx_response(dataset, stem: str) -> HttpResponse:
    """An XLSX attachment named ``<stem>-<YYYYMMDD>.xlsx``."""
    filename = f"{stem}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(dataset.export("xlsx"), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def list_context(
    request: HttpRequest,
    filterset,
    filter_names: Sequence[str],
    columns: Sequence[Column],
    default_sort: str,
    *,
    count_cap: int | None = None,
) -> dict[str, object]:
    """Filter, sort and paginate a scoped list: the context every list page renders.

    ``count_cap``: count at most that many rows (see ``CappedPaginator``).
    """
    rows, headers = apply_sort(request, filterset.qs, columns, default_sort)
    page = paginate(request, rows, count_cap=count_cap)
    return {
        "page": page,
        "page_links": page_links(page),
        "headers": headers,
        "filter_fields": filter_form_fields(filterset, filter_names),
    }


def export_xlsx(
    request: HttpRequest,
    filterset,
    columns: Sequence[Column],
    default_sort: str,
    resource_class,
    title: str,
) -> HttpResponse:
    """The list's rows with the same filters and order as the page, as an XLSX download.

    The filterset must be built on the ``export``-scoped queryset.
    """
    rows, _headers = apply_sort(request, filterset.qs, columns, default_sort)
    dataset = resource_class(user=request.user).export(queryset=rows, force_native_type=True)
    dataset.title = title
    return xlsx_response(dataset, title)


def apply_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError onto the form's fields (unknown fields → form errors)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def style_form(form: forms.BaseForm, *, compact: bool = False) -> forms.BaseForm:
    """Give every widget its Bootstrap class; turn a leading empty choice into 全部/请选择."""
    size = " form-control-sm" if compact else ""
    select_size = " form-select-sm" if compact else ""
    for name, form_field in form.fields.items():
        widget = form_field.widget
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select" + select_size
            if isinstance(widget, forms.NullBooleanSelect):
                form_field.widget = widget = forms.Select(
                    choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]
                )
        else:
            css = "form-control" + size
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        widget.attrs["class"] = css
        if compact and getattr(form_field, "empty_label", None) is not None:
            # django-filter's ChoiceField (and ModelChoiceField) render their own empty choice
            form_field.empty_label = _("全部")
            if not isinstance(form_field, forms.ModelChoiceField):
                form_field.widget.choices = list(form_field.choices)
    return form


def pk_url(name: str) -> Callable[[int], str]:
    """``reverse`` once for a URL taking one ``pk``; the returned function fills in any pk
    (a national dashboard links thousands of rows: one reverse each would cost 200 ms)."""
    sentinel = "987654321"
    prefix, suffix = reverse(name, args=[int(sentinel)]).split(sentinel)
    return lambda pk: f"{prefix}{pk}{suffix}"


@dataclass(frozen=True)
class DataTable:
    """A dashboard table: shown on the page and exported to XLSX from the same rows.

    ``rows`` hold plain cells (str, int, float, Decimal, None); ``links`` optionally one URL per
    row for its first cell; ``numeric`` marks the columns aligned right.
    """

    key: str
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[object]]
    numeric: Sequence[bool] = ()
    links: Sequence[str | None] = ()
    link_column: int = 0
    page_rows: int | None = None  # rows shown on the page (the export has all)

    @property
    def hidden_rows(self) -> int:
        return max(0, len(self.rows) - self.page_rows) if self.page_rows else 0

    def body_html(self) -> SafeString:
        """The page's rows as table rows, built here rather than in a template loop: a
        dashboard table has thousands of cells, and this is ten times faster. ``None`` shows
        as "—"; numbers as ``str`` (the Chinese and English locales share the decimal point)."""
        parts = []
        for row in self.cells():
            parts.append("<tr>")
            for cell in row:
                value = cell["value"]
                text = "—" if value is None else html.escape(str(value))
                if cell["link"]:
                    text = f'<a href="{html.escape(str(cell["link"]))}">{text}</a>'
                align = ' class="text-end"' if cell["numeric"] else ""
                parts.append(f"<td{align}>{text}</td>")
            parts.append("</tr>")
        return mark_safe("".join(parts))  # noqa: S308 (every value escaped above)

    def cells(self) -> list[list[dict[str, object]]]:
        """Rows for the page (at most ``page_rows``): each cell's value, alignment and link
        (on ``link_column``)."""
        numeric = list(self.numeric) + [False] * (len(self.columns) - len(self.numeric))
        return [
            [
                {
                    "value": value,
                    "numeric": numeric[j],
                    "link": self.links[i]
                    if j == self.link_column and i < len(self.links)
                    else None,
                }
                for j, value in enumerate(row)
            ]
            for i, row in enumerate(self.rows[: self.page_rows])
        ]


def table_xlsx(table: DataTable, stem: str) -> HttpResponse:
    """The table as an XLSX attachment; text cells are escaped against formula injection."""
    dataset = tablib.Dataset(headers=[str(c) for c in table.columns])
    for row in table.rows:
        dataset.append([escape_formula(c) if isinstance(c, str) else c for c in row])
    dataset.title = str(table.title)[:31]
    return xlsx_response(dataset, stem)
