"""A small kit for scoped management pages: a list (search, filters, pages, .xlsx export)
and a form that hands its data to a service. Each app declares its pages with it."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views import View

from jineng.core.audit import audit_record
from jineng.core.errors import Forbidden, ServiceError
from jineng.core.events import CoreAction
from jineng.core.refusals import require
from jineng.core.spreadsheets import XLSX_CONTENT_TYPE, export_filename, xlsx_bytes

PAGE_SIZE = 25
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable  # obj -> display value
    link: bool = False  # the cell links to the object's page


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    choices: list | None = None  # None: a text box
    # A form field that renders the filter's box and cleans what was typed into the value
    # the selector takes (e.g. a region name into its code).
    field: forms.Field | None = None

    def widget_html(self, value) -> str:
        attrs = {"id": f"filter-{self.name}", "placeholder": self.label, "aria-label": self.label}
        return self.field.widget.render(self.name, value, attrs=attrs)


class ScopedListPage(LoginRequiredMixin, View):
    """GET lists what `selector(user=..., action="view", **filters)` returns; `?export=xlsx`
    exports the same rows through the "export" scope, and records the export.

    `sensitive_filters` (e.g. {"id_number"}) are filters whose values must not leak: they are
    read only from a POST body (never from the query string), never echoed into the page, the
    pager or the export link, and audited hidden. A POST answers with one page of results."""

    title = ""
    permission = ""  # e.g. "orgs.view_institution"
    export_permission = ""
    add_permission = ""
    selector: Callable = None
    filters: list[Filter] = []
    columns: list[Column] = []
    create_url_name = ""
    object_type = ""
    template_name = "core/list.html"
    sensitive_filters: frozenset[str] = frozenset()
    sensitive_url_message = ""  # shown when a sensitive value arrived in a URL and was dropped

    def get_selector(self):
        return type(self).selector

    def get_filters(self, request) -> list[Filter]:
        return self.filters

    def filter_values(self, request) -> dict:
        posted = request.method == "POST"
        data = request.POST if posted else request.GET
        values = {"q": data.get("q", "").strip()}
        for f in self.get_filters(request):
            # A sensitive value only ever arrives in a POST body, never in a URL.
            sensitive = f.name in self.sensitive_filters
            values[f.name] = data.get(f.name, "").strip() if posted or not sensitive else ""
        return values

    def parse_filters(self, filters: list[Filter], typed: dict) -> tuple[dict, list[str]]:
        """The values the selector takes, and a message for each filter that could not be
        read (its text is passed on as typed, so it matches nothing)."""
        values, problems = dict(typed), []
        for f in filters:
            if f.field is not None and typed.get(f.name):
                try:
                    values[f.name] = f.field.clean(typed[f.name])
                except forms.ValidationError as exc:
                    problems.extend(f"{f.label}：{m}" for m in exc.messages)
        return values, problems

    def public_values(self, values: dict) -> dict:
        """The filter values that may be shown, put in a URL or audited in clear."""
        return {k: ("（已隐藏）" if v and k in self.sensitive_filters else v)
                for k, v in values.items()}

    def row_url(self, obj) -> str | None:
        return None

    def get(self, request):
        return self.respond(request)

    def post(self, request):
        if not self.sensitive_filters:
            return HttpResponseNotAllowed(["GET"])
        return self.respond(request)

    def sensitive_in_url(self, request) -> list[str]:
        """The query parameters that carry a sensitive value (dropped with a redirect)."""
        return [k for k in self.sensitive_filters if request.GET.get(k)]

    def respond(self, request):
        require(request.user, self.permission)
        posted = request.method == "POST"
        leaked = [] if posted else self.sensitive_in_url(request)
        if leaked:  # e.g. an old bookmark: drop the value, never render or audit it
            kept = request.GET.copy()
            for key in [*leaked, "export", "page"]:
                kept.pop(key, None)
            if self.sensitive_url_message:
                messages.warning(request, self.sensitive_url_message)
            return redirect(f"{request.path}?{kept.urlencode()}" if kept else request.path)
        data = request.POST if posted else request.GET
        typed = self.filter_values(request)
        filters = self.get_filters(request)
        values, problems = self.parse_filters(filters, typed)
        selector = self.get_selector()
        if data.get("export") == "xlsx":
            return self.export(request, selector, values)
        qs = selector(user=request.user, action="view", **values)
        if posted:  # one page, no pager: its links could not carry the sensitive values
            page = Paginator(qs[:PAGE_SIZE], PAGE_SIZE).get_page(1)
        else:
            page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [
            {"url": self.row_url(obj), "cells": [(c.value(obj), c.link) for c in self.columns]}
            for obj in page.object_list
        ]
        query = {k: v for k, v in values.items() if v and k not in self.sensitive_filters}
        return render(request, self.template_name, {
            "title": self.title,
            "columns": self.columns,
            "rows": rows,
            "page": page,
            "filters": [(f, typed.get(f.name, ""), f.widget_html(typed.get(f.name, ""))
                         if f.field else "")
                        for f in filters if f.name not in self.sensitive_filters],
            "filter_problems": problems,
            "sensitive_filters": [f for f in filters if f.name in self.sensitive_filters],
            "sensitive_search": posted and any(values.get(k) for k in self.sensitive_filters),
            "q": values["q"],
            "query": urlencode(query),
            "can_export": bool(self.export_permission)
            and request.user.has_permission(self.export_permission),
            "create_url_name": self.create_url_name
            if self.add_permission and request.user.has_permission(self.add_permission) else "",
        })

    def export(self, request, selector, values):
        require(request.user, self.export_permission)
        qs = selector(user=request.user, action="export", **values)[:EXPORT_LIMIT]
        headers = [str(c.label) for c in self.columns]
        rows = [[_plain(c.value(obj)) for c in self.columns] for obj in qs.iterator(2000)]
        with transaction.atomic(durable=True):
            audit_record(actor=request.user, action=CoreAction.EXPORT, object_type=self.object_type,
                         changes={"rows": len(rows), "filters": self.public_values(values)})
        response = HttpResponse(
            xlsx_bytes(headers, rows, str(self.title)), content_type=XLSX_CONTENT_TYPE
        )
        # RFC 5987 filename* (Django's helper): the page's title and today's date.
        response["Content-Disposition"] = content_disposition_header(
            True, export_filename(self.title, on_date=timezone.localdate()))
        return response


def _plain(value):
    return "" if value is None else value if isinstance(value, int | float) else str(value)


class ServiceFormPage(LoginRequiredMixin, View):
    """A form whose cleaned data goes to one or more services, in one transaction; the
    services' field errors come back to the form in Chinese, and nothing is saved."""

    title = ""
    form_class = None
    template_name = "core/form.html"
    success_message = _("已保存")

    def get_object(self, request, **kwargs):
        return None

    def check_allowed(self, request, obj) -> None:
        """Refuse (core.refusals.require: 403) unless the user may use this form on this
        object; an object outside their scope is NotFound (404) from get_object."""

    def get_form_kwargs(self, request, obj) -> dict:
        return {}

    def initial(self, obj) -> dict:
        return {}

    def save(self, request, obj, data):
        raise NotImplementedError

    def success_url(self, obj) -> str:
        raise NotImplementedError

    def _object(self, request, kwargs):
        obj = self.get_object(request, **kwargs)
        self.check_allowed(request, obj)
        return obj

    def get(self, request, **kwargs):
        obj = self._object(request, kwargs)
        form = self.form_class(initial=self.initial(obj), **self.get_form_kwargs(request, obj))
        return self.render(request, form, obj)

    def post(self, request, **kwargs):
        obj = self._object(request, kwargs)
        form = self.form_class(request.POST, **self.get_form_kwargs(request, obj))
        status = 400
        if form.is_valid():
            try:
                # A page may call several services; they stand or fall together, in the
                # request's one top-level transaction.
                with transaction.atomic(durable=True):
                    saved = self.save(request, obj, form.cleaned_data)
            except ServiceError as exc:
                _add_service_errors(form, exc)
                if isinstance(exc, Forbidden):  # a refusal answers 403 here as on the API
                    status = exc.status
            else:
                messages.success(request, self.success_message)
                return redirect(self.success_url(saved))
        return self.render(request, form, obj, status=status if form.errors else 200)

    def render(self, request, form, obj, status=200, **extra):
        context = {"title": self.title, "form": form, "object": obj, **extra}
        return render(request, self.template_name, context, status=status)


def _add_service_errors(form, exc: ServiceError) -> None:
    placed = False
    for field, message in exc.errors.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
