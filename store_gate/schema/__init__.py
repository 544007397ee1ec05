"""The DynamoDB table as the gate believes it: key schema, GSIs, LSIs, projections."""

from __future__ import annotations

from store_gate.schema.table import IndexSchema, KeySchemaAttribute, Projection, TableSchema

__all__ = ["IndexSchema", "KeySchemaAttribute", "Projection", "TableSchema"]
