"""The hostile spec text every output target is tested against, in one place.

Each case is text a spec could carry that would become markup, a link, a
line of its own or a terminal command if printed raw somewhere: HTML,
Markdown and its extensions (admonitions, attribute lists), Mermaid, GitHub
workflow commands and mentions, terminal escapes, bidi overrides and line
separators. ``tests/test_text.py`` runs them against every target of
:mod:`specgen.text`, and the site tests run them through Python-Markdown in
the contexts pages use.
"""

from __future__ import annotations

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "*emphasis* and **strong** and _under_ and __dunder__",
    "[a link](https://evil.example) and ![image](x.png)",
    "<https://evil.example> and https://evil.example and www.evil.example",
    "`code` and ``more``",
    "a | table | row",
    "# heading",
    "## heading ##",
    "- a list item",
    "+ another",
    "1. ordered",
    "3) ordered too",
    "> a quote",
    '!!! danger "Approved by the regulator"',
    "??? note",
    "---",
    "===",
    "    four spaces",
    "line one\nline two\n\n    indented",
    "{ #id .class onclick=alert(1) }",
    "text {: .class }",
    "&lt;entity&gt; &amp; &#60;",
    "<!-- comment -->",
    "trailing backslash \\",
    "tilde ~~strike~~ ```fence```",
    "\\*escaped\\*",
    "100% sure; 5 > 3 and 2 < 4",
    ":smile: and *[HTML]: abbr",
    "placeholder \x02wzxhzdk:0\x03 and bell \x07",
    "@octocat please approve",
    "$x^2$ maths",
    "\n::error file=x.yml,line=1::injected",
    "\x1b]0;owned\x07 \x1b[2J cleared",
    "bidi \u202etxt.exe",
    "line\u2028separator and\u0085next",
    'mermaid"] --> B["x',
    "click A call alert()",
    "%% comment\ngraph TD",
]
