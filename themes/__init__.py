"""The workbench's Textual themes and the severity colour tokens they define.

Every theme carries the severity variables (``$sev-critical`` … ``$sev-suspect``)
that the app's .tcss and the log view read, so changing theme recolours the hits
too. ``SEVERITY_DEFAULTS`` is the fallback for Textual's built-in themes (which do
not know these names): the app returns it from ``get_theme_variable_defaults``.

Three project themes:

* ``triage-dark``: the default, a calm dark palette where red/orange stand out;
* ``triage-light``: for bright rooms and light terminals;
* ``triage-contrast``: high contrast (pure black/white, saturated severities) for
  screen sharing and projectors, where subtle tints disappear.
"""

from __future__ import annotations

from textual.theme import Theme

SEVERITY_VARIABLES = ("sev-critical", "sev-high", "sev-medium", "sev-low", "sev-info",
                      "sev-suspect")

# Fallbacks used by Textual's built-in themes (readable on dark and light backgrounds).
SEVERITY_DEFAULTS: dict[str, str] = {
    "sev-critical": "#e5484d",
    "sev-high": "#f76b15",
    "sev-medium": "#e2a336",
    "sev-low": "#3e9fd6",
    "sev-info": "#8b8d98",
    "sev-suspect": "#b78fd6",
}

# The severity scale, worst first: the same tuple as ``heuristics.model.SEVERITIES``
# (a test keeps them equal). Kept here so the app's widgets need not import the
# heuristics engine before their first frame; the engine loads in the worker.
SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}

DEFAULT_THEME = "triage-dark"

TRIAGE_DARK = Theme(
    name="triage-dark",
    primary="#4f8fd6",
    secondary="#3a6ea5",
    accent="#e0a040",
    warning="#e2a336",
    error="#e5484d",
    success="#46a758",
    foreground="#dcdfe4",
    background="#16181d",
    surface="#1e2128",
    panel="#262a33",
    dark=True,
    variables={
        **SEVERITY_DEFAULTS,
        "footer-key-foreground": "#e0a040",
        "block-cursor-text-style": "bold",
    },
)

TRIAGE_LIGHT = Theme(
    name="triage-light",
    primary="#1f5fa8",
    secondary="#2d6cb5",
    accent="#a85d00",
    warning="#a86500",
    error="#c4242b",
    success="#2b7a3b",
    foreground="#1d2026",
    background="#f7f7f5",
    surface="#eeeeea",
    panel="#e2e2dc",
    dark=False,
    variables={
        "sev-critical": "#c4242b",
        "sev-high": "#c2560a",
        "sev-medium": "#9a6b00",
        "sev-low": "#1f6fb0",
        "sev-info": "#5f6270",
        "sev-suspect": "#7a4fa3",
        "footer-key-foreground": "#a85d00",
    },
)

TRIAGE_CONTRAST = Theme(
    name="triage-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffff00",
    warning="#ffd700",
    error="#ff3030",
    success="#00ff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#1a1a1a",
    dark=True,
    luminosity_spread=0.25,
    text_alpha=1.0,
    variables={
        "sev-critical": "#ff3030",
        "sev-high": "#ff9900",
        "sev-medium": "#ffff00",
        "sev-low": "#00ffff",
        "sev-info": "#ffffff",
        "sev-suspect": "#ff66ff",
        "footer-key-foreground": "#ffff00",
        "block-cursor-background": "#ffff00",
        "block-cursor-foreground": "#000000",
        "block-cursor-text-style": "bold",
    },
)

PROJECT_THEMES: tuple[Theme, ...] = (TRIAGE_DARK, TRIAGE_LIGHT, TRIAGE_CONTRAST)

__all__ = ["DEFAULT_THEME", "PROJECT_THEMES", "SEVERITY_DEFAULTS", "SEVERITY_VARIABLES",
           "TRIAGE_CONTRAST", "TRIAGE_DARK", "TRIAGE_LIGHT"]
