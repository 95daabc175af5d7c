"""Model instances from hand-written SQL, for the few hot paths where compiling an ORM query
costs far more than running it (the customer's estimate page: a lookup with four joins
compiles in about a millisecond and runs in a few microseconds on SQLite).

A `Shape` is one model under a table alias: it writes its columns for a SELECT and turns its
part of a result row back into an instance the way the ORM does (the backend's and the
fields' converters, then `Model.from_db`). Table and column names come from the models,
never from input; values are always passed as parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models

type Converter = Callable[[Any, Any, Any], Any]


class Shape[M: models.Model]:
    def __init__(self, model: type[M], alias: str, using: str = "default") -> None:
        self.model = model
        self.alias = alias
        self.using = using
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self.width = len(self.fields)
        self._pk_index = self.fields.index(model._meta.pk)
        self._converters: list[list[tuple[Converter, Any]]] | None = None

    def _quote(self, name: str | None) -> str:
        assert name, "a concrete column has a name"
        return str(connections[self.using].ops.quote_name(name))

    @property
    def table(self) -> str:
        """`"table" "alias"`, for FROM and JOIN."""
        return f"{self._quote(self.model._meta.db_table)} {self._quote(self.alias)}"

    def col(self, name: str) -> str:
        """The column of field `name` (a relation gives its `_id` column), with the alias."""
        field = self.model._meta.get_field(name)
        assert isinstance(field, models.Field), f"{name} is no concrete field"
        return f"{self._quote(self.alias)}.{self._quote(field.column)}"

    @property
    def columns(self) -> str:
        """Every concrete column, in the order `load` expects them."""
        alias = self._quote(self.alias)
        return ", ".join(f"{alias}.{self._quote(field.column)}" for field in self.fields)

    def _converters_by_column(self) -> list[list[tuple[Converter, Any]]]:
        # As SQLCompiler.get_converters: the backend's converters first, then the field's.
        if self._converters is None:
            connection = connections[self.using]
            converters = []
            for field in self.fields:
                column = field.get_col(self.alias)
                found = [
                    *connection.ops.get_db_converters(column),
                    *column.get_db_converters(connection),
                ]
                converters.append([(converter, column) for converter in found])
            self._converters = converters
        return self._converters

    def load(self, row: Sequence[Any], start: int = 0) -> M | None:
        """The instance in `row[start:start + width]`; None when an outer join found none."""
        values = list(row[start : start + self.width])
        if values[self._pk_index] is None:
            return None
        connection = connections[self.using]
        for index, converters in enumerate(self._converters_by_column()):
            for converter, column in converters:
                values[index] = converter(values[index], column, connection)
        return self.model.from_db(self.using, self.attnames, values)
