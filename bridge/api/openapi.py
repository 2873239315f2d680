"""OpenAPI 3 document generated from the registered routes and their ``@spec`` metadata.

Generated, so it cannot drift from the routes; tests also hold docs/api.md to the same list.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from bridge import __version__
from bridge.api import schemas as sch

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_TYPES = {"int": "integer", None: "string", "string": "string", "path": "string"}

_ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": {"type": "string"}, "message": {"type": "string"},
    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    "sms_code": {"type": "integer", "nullable": True},
    "reason": {"type": "string", "nullable": True}}}}}
_OK = {"type": "object", "properties": {"data": {}, "meta": {"type": "object"}}}


_CUSTOMER = {"customer_id": "$request.path.customer_id"}
_ACCOUNT = {**_CUSTOMER, "account_id": "$request.path.account_id"}
_SUB = {**_ACCOUNT, "subscription_id": "$request.path.subscription_id"}


def _link(operation: str, params: dict[str, str], description: str) -> dict[str, Any]:
    return {"operationId": operation, "parameters": params, "description": description}


# How one answer leads to the next call (OpenAPI links): a client or a fuzzer following them
# reaches accounts, services and STBs that exist instead of guessing ids.
LINKS: dict[str, dict[str, Any]] = {
    "accounts.add_post": {
        "accounts": _link("accounts.account_list_get", _CUSTOMER, "the customer's accounts")},
    "accounts.account_list_get": {
        "subscriptions": _link("services.subscription_list_get", {
            **_CUSTOMER, "account_id": "$response.body#/data/accounts/0/account_id"},
            "services of the first account"),
        "packages": _link("services.available_get", {
            **_CUSTOMER, "account_id": "$response.body#/data/accounts/0/account_id"},
            "packages available for the first account"),
        "lock": _link("accounts.lock_post", {
            **_CUSTOMER, "account_id": "$response.body#/data/accounts/0/account_id"},
            "lock the first account")},
    "services.subscription_list_get": {
        "upgrades": _link("services.upgrades_get", {
            **_ACCOUNT, "subscription_id": "$response.body#/data/0/subscription_id"},
            "upgrade offers of the first service"),
        "gifts": _link("services.gifts_get", {
            **_ACCOUNT, "subscription_id": "$response.body#/data/0/subscription_id"},
            "gifts of the first service"),
        "activate": _link("services.activate_post", {
            **_ACCOUNT, "subscription_id": "$response.body#/data/0/subscription_id"},
            "activate the first service")},
    "services.add_post": {
        "subscriptions": _link("services.subscription_list_get", _ACCOUNT,
                               "the account's services")},
    "services.upgrades_get": {
        "upgrade": _link("services.upgrade_post", _SUB, "upgrade to an offered package")},
    "services.gifts_get": {
        "gift": _link("services.gift_post", _SUB, "give an offered gift")},
    "stb.register_post": {
        "remove": _link("stb.remove_delete", {"mac": "$response.body#/data/mac"},
                        "remove the registered STB")},
    "customers.export_post": {
        "page": _link("customers.tv_page_get", _CUSTOMER, "the customer's TV box")},
    "messages.customer_list_get": {
        "delete": _link("messages.delete_one_delete", {
            **_CUSTOMER, "message_id": "$response.body#/data/0/id"}, "delete the first message")},
}


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
                   "schema": _path_schema(conv, name)}
                  for conv, name in _CONVERTER.findall(rule.rule)]
        needed = meta.get("required_query") or ()
        params += [{"name": name, "in": "query", "required": name in needed,
                    "schema": _schema(typ)} for name, typ in meta["query"].items()]
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
                required = meta.get("required") or []
                body: dict[str, Any] = {"type": "object", "properties": {
                    k: _schema(t) for k, t in meta["body"].items()}}
                if required:
                    body["required"] = list(required)
                op["requestBody"] = {"required": bool(required), "content": {
                    "application/json": {"schema": body}}}
            links = LINKS.get(op["operationId"])
            if links:
                op["responses"]["200"]["links"] = links
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


def _path_schema(conv: str | None, name: str) -> dict[str, Any]:
    if name == "mac":
        return dict(sch.MAC)
    return dict(sch.ID) if conv == "int" else {"type": _TYPES.get(conv, "string")}


def _schema(typ: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(typ, dict):
        return dict(typ)
    if typ.endswith("[]"):
        return {"type": "array", "items": {"type": typ[:-2]}}
    return {"type": typ}
