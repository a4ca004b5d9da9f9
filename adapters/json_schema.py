"""``response_format={"type": "json_schema"}`` emulated for providers that only have JSON mode.

The request asks for JSON mode and carries the schema in a system instruction; the reply is
checked against the schema (the subset structured outputs use: type, properties, required, items,
enum, anyOf, $ref to $defs, additionalProperties=false). A reply that fails is answered as a
retryable server error, so the openai SDK's own retries ask the model again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["instruction", "mismatches", "requested_schema"]

_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict, "array": list, "string": str, "integer": int, "number": (int, float),
    "boolean": bool, "null": type(None),
}


def requested_schema(response_format: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The JSON schema a ``json_schema`` response format asks for (``None`` for other formats)."""
    if not response_format or response_format.get("type") != "json_schema":
        return None
    spec = response_format.get("json_schema") or {}
    schema = spec.get("schema")
    return dict(schema) if isinstance(schema, Mapping) else {}


def instruction(schema: Mapping[str, Any]) -> str:
    """The system instruction that carries the schema (it also says "JSON", which JSON modes need)."""
    return ("Reply with a single JSON object, and nothing else, that conforms to this JSON Schema:\n"
            + json.dumps(schema, ensure_ascii=False, sort_keys=True))


def mismatches(text: str, schema: Mapping[str, Any]) -> list[str]:
    """Why ``text`` is not a JSON document valid against ``schema`` (empty when it is)."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    problems: list[str] = []
    _check(value, schema, schema, "$", problems)
    return problems


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        node: Any = root
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, Mapping) else {}
        return node if isinstance(node, Mapping) else {}
    return schema


def _check(value: Any, schema: Mapping[str, Any], root: Mapping[str, Any], where: str, problems: list[str]) -> None:
    schema = _resolve(schema, root)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        if not any(not _sub(value, option, root) for option in options):
            problems.append(f"{where}: matches none of the allowed shapes")
        return
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} is not one of {schema['enum']!r}")
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where}: must be {schema['const']!r}")
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    if kinds and not any(_is(value, k) for k in kinds):
        problems.append(f"{where}: expected {'/'.join(kinds)}, got {type(value).__name__}")
        return
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        for name in schema.get("required") or []:
            if name not in value:
                problems.append(f"{where}: missing required property {name!r}")
        for name, item in value.items():
            if name in props:
                _check(item, props[name], root, f"{where}.{name}", problems)
            elif schema.get("additionalProperties") is False:
                problems.append(f"{where}: unexpected property {name!r}")
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for i, item in enumerate(value):
            _check(item, schema["items"], root, f"{where}[{i}]", problems)


def _sub(value: Any, schema: Mapping[str, Any], root: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    _check(value, schema, root, "", found)
    return found


def _is(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    expected = _TYPES.get(kind)
    return True if expected is None else isinstance(value, expected)
