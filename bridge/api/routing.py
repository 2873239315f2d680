"""URL rules whose URL builders are compiled the first time a URL is built."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.routing import Rule


class LazyBuildRule(Rule):
    """werkzeug compiles two URL-building functions for every rule as the rule is added (an
    AST made and compiled per rule and mode): 85 % of `create_app`'s CPU, about 50 ms each time
    a bridge worker starts on a small 2-core box, for ~50 rules. The bridge answers JSON and
    seldom builds a URL, so each builder is compiled when first asked for (a race only
    compiles it twice). Should werkzeug rename the hook, rules are compiled as before."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        def build(rule: LazyBuildRule, *args: Any, **kwargs: Any) -> tuple[str, str]:
            real = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, "_build_unknown" if append_unknown else "_build", real)
            return real(*args, **kwargs)

        return build


class BridgeFlask(Flask):
    url_rule_class = LazyBuildRule
