"""A short list of reference codes kept on the row itself (a person's target groups), for
tables that are written in bulk: no link table, so a million imported people cost no million
link rows and foreign-key checks.

    target_groups = CodeList("重点群体")      # ["rural_migrant", "veteran"], sorted
    Person.objects.filter(target_groups__has="veteran")

JSON in both databases (jsonb on PostgreSQL, where `has` is `@>` and can use a GIN index;
json_each on SQLite). The codes are stable keys of a reference table that is never deleted
from, only switched off, so they need no foreign key.
"""

import json

from django.db import models
from django.db.models import Lookup


class CodeList(models.JSONField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("blank"):
            del kwargs["blank"]
        return name, path, args, kwargs


@CodeList.register_lookup
class Has(Lookup):
    """`field__has="code"`: the list holds the code."""

    lookup_name = "has"
    prepare_rhs = False

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::jsonb", [*params, json.dumps([str(self.rhs)])]

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return (f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)",
                [*params, str(self.rhs)])


class CodeNames(models.Func):
    """The names of the codes in a CodeList column, as a JSON list ordered like the reference
    table (`table`: its name, with `code`, `name` and the ordering columns): one subquery in
    the row's own SELECT, so a page of people costs no query more."""

    output_field = models.JSONField()

    def __init__(self, column: str, *, table: str, order_by: str = "sort_order, code"):
        super().__init__(models.F(column))
        self.table = table
        self.order_by = order_by

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return (f"(SELECT coalesce(jsonb_agg(t.name ORDER BY {self._order('t')}), '[]') "
                f"FROM {self.table} t WHERE t.code IN "
                f"(SELECT jsonb_array_elements_text({column})))", params)

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return (f"(SELECT json_group_array(name) FROM (SELECT t.name FROM {self.table} t "
                f"WHERE t.code IN (SELECT value FROM json_each({column})) "
                f"ORDER BY {self._order('t')}))", params)

    def _order(self, alias: str) -> str:
        return ", ".join(f"{alias}.{c.strip()}" for c in self.order_by.split(","))
