"""OpenAPI 3 document generated from the registered routes and their ``@spec`` metadata.

Generated, so it cannot drift from the routes; tests also hold docs/api.md to the same list.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from bridge import __version__

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_TYPES = {"int": "integer", None: "string", "string": "string", "path": "string"}

_ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": {"type": "string"}, "message": {"type": "string"},
    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    "sms_code": {"type": "integer", "nullable": True},
    "reason": {"type": "string", "nullable": True}}}}}
_OK = {"type": "object", "properties": {"data": {}, "meta": {"type": "object"}}}


def openapi_path(rule: str) -> str:
    return _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule)


def build_openapi(app: Flask) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        meta = getattr(view, "_openapi", None) or {"summary": rule.endpoint, "query": {},
                                                   "body": {}, "public": False, "tag": None}
        path = openapi_path(rule.rule)
        params = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": _TYPES.get(conv, "string")}}
                  for conv, name in _CONVERTER.findall(rule.rule)]
        params += [{"name": name, "in": "query", "required": False, "schema": {"type": typ}}
                   for name, typ in meta["query"].items()]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "operationId": f"{rule.endpoint}_{method.lower()}",
                "summary": meta["summary"], "tags": [meta["tag"] or rule.endpoint.split(".")[0]],
                "parameters": params,
                "responses": {
                    "200": {"description": "OK", "content": {"application/json": {
                        "schema": _OK}}},
                    "default": {"description": "Error envelope (docs/api.md §1)", "content": {
                        "application/json": {"schema": _ERROR}}}},
            }
            if meta["public"]:
                op["security"] = []
            if meta["body"]:
                op["requestBody"] = {"required": False, "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        k: _schema(t) for k, t in meta["body"].items()}}}}}
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": "lmstv bridge API", "version": __version__,
                 "description": "JSON API of the lmstv bridge for the LMS PHP shim; see "
                                "docs/api.md for rules, shapes and error codes."},
        "components": {"securitySchemes": {
            "secret": {"type": "apiKey", "in": "header", "name": "X-LMSTV-Secret"}}},
        "security": [{"secret": []}],
        "paths": dict(sorted(paths.items())),
    }


def _schema(typ: str) -> dict[str, Any]:
    if typ.endswith("[]"):
        return {"type": "array", "items": {"type": typ[:-2]}}
    return {"type": typ}
