"""Bar charts drawn on the server as inline SVG: no JavaScript library, nothing from a CDN."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from storage.stats import Figure, Month

WIDTH = 720


def progress(figures: Sequence[Figure]) -> Markup:
    """One bar per yearly target: the whole bar is the target, the filled part this year's figure."""
    rows = [f for f in figures if f.target]
    label_w, bar_w, row_h = 230, WIDTH - 230 - 150, 46
    height = row_h * len(rows) + 10
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
             f'aria-label="年度目标完成情况">']
    for i, f in enumerate(rows):
        y = 10 + i * row_h
        share = min(f.value / f.target, 1.0) if f.target else 0.0
        done = "bar-done" if f.value >= (f.target or 0) else "bar-fill"
        parts += [
            f'<text x="0" y="{y + 20}" class="chart-label">{escape(f.label)}</text>',
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="24" rx="4" class="bar-bg"/>',
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w * share:.1f}" height="24" rx="4" class="{done}"/>',
            f'<text x="{label_w + bar_w + 10}" y="{y + 21}" class="chart-value">'
            f'{f.value:,} / {f.target:,}（{f.percent}%）</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def by_month(months: Sequence[Month], field: str, title: str) -> Markup:
    """Twelve columns, one per month, with the value over each."""
    values = [int(getattr(m, field)) for m in months]
    top = max(values) or 1
    plot_h, base, col = 150, 190, (WIDTH - 40) / 12
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} 215" width="100%" role="img" aria-label="{escape(title)}">',
             f'<text x="0" y="16" class="chart-title">{escape(title)}</text>']
    for i, value in enumerate(values):
        h = plot_h * value / top
        x = 20 + i * col
        parts += [
            f'<rect x="{x + 6:.1f}" y="{base - h:.1f}" width="{col - 12:.1f}" height="{h:.1f}" class="bar-fill"/>',
            f'<text x="{x + col / 2:.1f}" y="{base - h - 4:.1f}" class="chart-value" '
            f'text-anchor="middle">{value}</text>',
            f'<text x="{x + col / 2:.1f}" y="{base + 18}" class="chart-label" text-anchor="middle">{i + 1}月</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))
