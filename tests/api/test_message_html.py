"""The message HTML whitelist (API doc §2.6: teaser and full-text tags)."""

from __future__ import annotations

from bridge.validation import BODY_TAGS, TEASER_TAGS, sanitize_html


def test_message_html_keeps_allowed_tags_only():
    assert sanitize_html("a<script>x()</script>b<style>p{}</style>c", TEASER_TAGS) == "abc"
    assert sanitize_html('<p>T <a href="JavaScript:x()" title="t">l</a></p>', BODY_TAGS) == \
        "<p>T <a>l</a></p>"
    assert sanitize_html('<font color="red" onload="x">Ż</font>&amp;<p>x</p>', TEASER_TAGS) == \
        '<font color="red">Ż</font>&amp;x'
