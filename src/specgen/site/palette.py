"""Is the configured palette readable? The contrast of the site's colours,
from the mkdocs-material stylesheet installed with specgen.

The project file names the theme's primary colour (``site.primary_color``).
In the light scheme it is the colour of every link in the text (or the darker
link colour the theme defines for it), read on white; WCAG 2.1 AA (1.4.3)
asks for a contrast of 4.5:1 for text. The accent colour (``accent_color``)
only colours a link under the pointer, for a moment, and is not checked:
even the theme's default (indigo, 4.3:1) would fail. The colour values are read from the theme's own
``palette.*.min.css``, not copied here, so they follow the installed version.
:func:`palette_warnings` returns a located warning for each colour below that.
"""

from __future__ import annotations

import colorsys
import functools
import re
from pathlib import Path

from specgen.diagnostics import Diagnostic, Level
from specgen.spec.loader import Portfolio

__all__ = ["MINIMUM_CONTRAST", "contrast", "link_colours", "palette_warnings"]

MINIMUM_CONTRAST = 4.5
"""WCAG 2.1 AA, success criterion 1.4.3, for text of normal size."""
WHITE = (1.0, 1.0, 1.0)

_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_DECLARATION = re.compile(r"(--md-[\w-]+)\s*:\s*([^;]+)")


@functools.lru_cache(maxsize=1)
def _palette_rules() -> dict[str, dict[str, str]]:
    """Selector → custom properties, from the theme's palette stylesheet."""
    import material

    folder = Path(material.__file__).resolve().parent / "templates" / "assets" / "stylesheets"
    rules: dict[str, dict[str, str]] = {}
    for sheet in sorted(folder.glob("palette.*.min.css")):
        for selectors, body in _RULE.findall(sheet.read_text(encoding="utf-8")):
            values = dict(_DECLARATION.findall(body))
            for selector in selectors.split(","):
                rules.setdefault(selector.strip(), {}).update(values)
    return rules


def _rgb(value: str) -> tuple[float, float, float] | None:
    """A CSS colour (#rgb, #rrggbb, #rrggbbaa on white, hsl()/hsla()) as RGB in 0..1."""
    value = value.strip()
    hexa = re.fullmatch(r"#([0-9a-fA-F]{3,8})", value)
    if hexa:
        digits = hexa.group(1)
        if len(digits) in (3, 4):
            digits = "".join(c * 2 for c in digits)
        red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
        alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
        return tuple(alpha * c + (1 - alpha) for c in (red, green, blue))  # type: ignore[return-value]
    hsl = re.fullmatch(r"hsla?\(\s*([\d.]+)\s*,\s*([\d.]+)%\s*,\s*([\d.]+)%\s*(?:,\s*([\d.]+)\s*)?\)", value)
    if hsl:
        hue, saturation, lightness = float(hsl.group(1)) / 360, float(hsl.group(2)) / 100, float(hsl.group(3)) / 100
        alpha = float(hsl.group(4)) if hsl.group(4) else 1.0
        red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
        return (alpha * red + 1 - alpha, alpha * green + 1 - alpha, alpha * blue + 1 - alpha)
    return None


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(c) for c in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: tuple[float, float, float], second: tuple[float, float, float]) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def link_colours(primary: str, accent: str) -> dict[str, str]:
    """The CSS colours of links ('link') and of a link under the pointer
    ('hovered link') in the light scheme, for the named theme colours."""
    rules = _palette_rules()
    light = rules.get(f"[data-md-color-primary={primary}]:not([data-md-color-scheme=slate])", {})
    plain = rules.get(f"[data-md-color-primary={primary}]", {})
    found = {}
    link = light.get("--md-typeset-a-color") or plain.get("--md-typeset-a-color") or plain.get("--md-primary-fg-color")
    if link:
        found["link"] = link
    hovered = rules.get(f"[data-md-color-accent={accent}]", {}).get("--md-accent-fg-color")
    if hovered:
        found["hovered link"] = hovered
    return found


_CHECKED = ("link",)
"""The colours :func:`palette_warnings` checks (see the module's docstring)."""


def palette_warnings(portfolio: Portfolio) -> list[Diagnostic]:
    """A warning, located in the project file, for each configured colour
    whose text on white falls below :data:`MINIMUM_CONTRAST`."""
    settings = portfolio.project.site
    colours = link_colours(settings.primary_color, settings.accent_color)
    source = portfolio.project_source
    found = []
    for what, css in colours.items():
        if what not in _CHECKED:
            continue
        rgb = _rgb(css)
        if rgb is None:
            continue
        ratio = contrast(rgb, WHITE)
        if ratio >= MINIMUM_CONTRAST:
            continue
        key, name = "primary_color", settings.primary_color
        line, column = 1, 1
        if source is not None:
            mark = source.positions.locate(("site", key))
            line, column = mark.line, mark.column
        found.append(
            Diagnostic(
                source.name if source is not None else "specgen.yml",
                line,
                column,
                f"site.{key}",
                f"'{name}' makes the site's {what}s {css} on white, a contrast of {ratio:.1f}:1, below the "
                f"{MINIMUM_CONTRAST}:1 that WCAG 2.1 AA asks for text; "
                "choose a darker one (indigo, deep-purple, purple, brown)",
                Level.warning,
                "palette",
            )
        )
    return found
