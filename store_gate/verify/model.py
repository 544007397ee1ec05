"""Requests checked offline against botocore's DynamoDB service model: the operation exists, every
member is one of its shape's, of the shape's type, required members present, lengths and ranges
within the model's minimums (botocore's own ParamValidator), and enum values among the model's
(which ParamValidator does not check)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _service() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("dynamodb")


def botocore_version() -> str:
    import botocore

    return str(botocore.__version__)


def problems(operation: str, params: dict[str, Any]) -> list[str]:
    """What botocore's DynamoDB model says is wrong with the request, one line each, naming the
    member; empty when it is valid."""
    from botocore.model import OperationNotFoundError
    from botocore.validate import ParamValidator

    try:
        shape = _service().operation_model(operation).input_shape
    except OperationNotFoundError:
        return [f"botocore's DynamoDB model has no operation {operation}"]
    found = [line for line in ParamValidator().validate(params, shape).generate_report().splitlines() if line]
    found += _enum_problems(params, shape, "")
    return found


def _enum_problems(value: Any, shape: Any, path: str) -> list[str]:
    """Enum values outside the model's list, anywhere in the request."""
    found: list[str] = []
    kind = getattr(shape, "type_name", "")
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                found += _enum_problems(value[name], member, f"{path}.{name}" if path else name)
    elif kind == "list" and isinstance(value, list):
        for i, element in enumerate(value):
            found += _enum_problems(element, shape.member, f"{path}[{i}]")
    elif kind == "map" and isinstance(value, dict):
        for key, element in value.items():
            found += _enum_problems(element, shape.value, f"{path}.{key}")
    elif kind == "string" and getattr(shape, "enum", None) and value not in shape.enum:
        found.append(f"Invalid value for parameter {path}, value: {value!r}, valid values: {', '.join(shape.enum)}")
    return found
