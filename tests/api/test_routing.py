"""The app's URL rules: builders compiled on first use, URLs the same as werkzeug's own."""

from __future__ import annotations

from werkzeug.routing import Map, Rule

from bridge.api.routing import LazyBuildRule


def _sample(rule: Rule) -> dict[str, object]:
    return {arg: 7 if type(rule._converters[arg]).__name__ == "IntegerConverter" else "ab-1"
            for arg in rule.arguments}


def test_builders_compiled_on_first_use_build_werkzeugs_urls(bridge, monkeypatch) -> None:
    app = bridge.app
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    assert len(rules) > 20 and all(isinstance(r, LazyBuildRule) for r in rules)
    compiled = []
    real = Rule._compile_builder
    monkeypatch.setattr(Rule, "_compile_builder",
                        lambda self, *a, **k: compiled.append(self.rule) or real(self, *a, **k))

    plain = Map([Rule(r.rule, endpoint=r.endpoint, methods=r.methods) for r in rules]).bind(
        "localhost")
    assert len(compiled) == 2 * len(rules)   # werkzeug's own rules: two builders each, now
    compiled.clear()
    lazy = app.url_map.bind("localhost")
    for rule in rules:
        values = _sample(rule)
        for unknown in (False, True):   # both builders: with unknown arguments dropped, added
            url = lazy.build(rule.endpoint, {**values, "page": 2}, append_unknown=unknown)
            assert url == plain.build(rule.endpoint, {**values, "page": 2},
                                      append_unknown=unknown)
            assert url.endswith("?page=2") is unknown
    assert len(compiled) == 2 * len(rules)   # each lazy builder compiled once, when used
