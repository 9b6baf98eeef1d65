"""The budget pages' charts, as Plotly figure data drawn by the goals charts' script (``static/js/goals-charts.js``)
with a caption, a text summary and the same numbers as a table (``goals.dashboards.chart_context`` and the
``goals/dashboard_chart.html`` partial): budget against actual (with this year's two projections), the
year-over-year change, and cost per outcome.

Colours are Okabe–Ito; what tells series apart is never colour alone: bars carry patterns, markers their own
symbols, and every series is named in the legend, the hover text and the table.
"""

from __future__ import annotations

from collections.abc import Sequence

from goals.charts import CONFIG, FONT, NONE_TEMPLATE
from goals.dashboards import chart_context

from .costs import Change, money_text, percent_text
from .selectors import Overview

BLUE, ORANGE, GREEN, VERMILION, PURPLE = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7"
GREY = "#56606B"


def _layout(**extra) -> dict:
    return {
        "template": NONE_TEMPLATE,
        "font": FONT,
        "margin": {"l": 90, "r": 20, "t": 20, "b": 50},
        "legend": {"orientation": "h", "y": -0.2},
        "hovermode": "closest",
        "height": 320,
        **extra,
    }


def _number(value) -> float | None:
    return None if value is None else float(value)


def budget_actual_chart(overview: Overview, *, id: str = "budget-actual") -> dict:
    """Budget (amended if amended, else adopted) against actual spending for each fiscal year shown, and this
    year's straight-line and last-year-shaped projections."""
    total = overview.total
    years = [year for year in overview.years if year in total.years]
    labels = [f"FY{year}" for year in years]
    budget = [total.years[year].budget for year in years]
    actual = [total.spent_to_date if year == overview.current_year else total.years[year].actual for year in years]
    data: list[dict] = [
        {
            "type": "bar",
            "name": "Budget",
            "x": labels,
            "y": [_number(value) for value in budget],
            "marker": {"color": BLUE, "line": {"color": "#1b1b1b", "width": 0.5}},
            "hovertemplate": "%{x}<br>Budget $%{y:,.0f}<extra></extra>",
        },
        {
            "type": "bar",
            "name": "Actual (to date this year)",
            "x": labels,
            "y": [_number(value) for value in actual],
            "marker": {
                "color": ORANGE,
                "pattern": {"shape": "/", "fillmode": "overlay", "fgcolor": "#1b1b1b", "solidity": 0.2},
                "line": {"color": "#1b1b1b", "width": 0.5},
            },
            "hovertemplate": "%{x}<br>Actual $%{y:,.0f}<extra></extra>",
        },
    ]
    projection = total.projection
    if projection is not None and overview.current_year in years:
        current = f"FY{overview.current_year}"
        for name, value, color, symbol in (
            ("Projection, straight line", projection.straight_line, GREEN, "diamond"),
            ("Projection, shaped like last year", projection.last_year_shaped, PURPLE, "triangle-up"),
        ):
            if value is not None:
                data.append(
                    {
                        "type": "scatter",
                        "mode": "markers",
                        "name": name,
                        "x": [current],
                        "y": [_number(value)],
                        "marker": {
                            "color": color,
                            "symbol": symbol,
                            "size": 14,
                            "line": {"color": "#1b1b1b", "width": 1},
                        },
                        "hovertemplate": f"%{{x}}<br>{name}: $%{{y:,.0f}}<extra></extra>",
                    }
                )
    figure = {
        "data": data,
        "layout": _layout(
            barmode="group",
            xaxis={"type": "category", "fixedrange": True},
            yaxis={"title": {"text": "Dollars"}, "rangemode": "tozero", "fixedrange": True, "tickformat": "$,.0f"},
        ),
        "config": CONFIG,
    }
    rows = [
        (
            f"FY{year}",
            (
                money_text(total.years[year].budget),
                money_text(total.spent_to_date if year == overview.current_year else total.years[year].actual),
            ),
        )
        for year in years
    ]
    summary = budget_actual_summary(overview)
    return chart_context(
        id=id,
        caption="Budget against actual spending by fiscal year",
        summary=summary,
        figure=figure if years else None,
        headers=["Fiscal year", "Budget", "Actual"],
        rows=rows,
        table_caption="Budget and actual spending by fiscal year",
    )


def budget_actual_summary(overview: Overview) -> str:
    total = overview.total
    if overview.current_year is None or total.current is None:
        return "No budget for the current fiscal year yet."
    text = (
        f"FY{overview.current_year}: budget {money_text(total.current.budget)}, spent "
        f"{money_text(total.spent_to_date)} after {overview.months} month{'s' if overview.months != 1 else ''}"
    )
    if total.spent_share is not None:
        text += f" ({total.spent_share}% of the budget)"
    text += "."
    projection = total.projection
    if projection is not None:
        if projection.straight_line is not None:
            text += f" At this pace the year ends at {money_text(projection.straight_line)}"
            text += (
                f"; shaped like last year, at {money_text(projection.last_year_shaped)}."
                if projection.last_year_shaped is not None
                else f" (no projection shaped like last year: {projection.reason})."
            )
        else:
            text += f" No projection: {projection.reason}."
    return text


def _change_style(change: Change) -> tuple[str, str]:
    """An increase solid blue, a cut crossed vermilion, no change dotted grey."""
    if change.change and change.change > 0:
        return BLUE, ""
    if change.change and change.change < 0:
        return VERMILION, "x"
    return GREY, "."


def change_chart(changes: Sequence[Change], *, id: str = "budget-change") -> dict:
    """The budget's change from each fiscal year to the next, in percent (cuts and increases)."""
    shown = [change for change in changes if change.percent is not None]
    labels = [f"FY{change.year}" for change in shown]
    data = [
        {
            "type": "bar",
            "name": "Change from the year before",
            "x": labels,
            "y": [_number(change.percent) for change in shown],
            "text": [f"{change.kind}: {money_text(change.change)}" for change in shown],
            "marker": {
                "color": [_change_style(change)[0] for change in shown],
                "pattern": {
                    "shape": [_change_style(change)[1] for change in shown],
                    "fillmode": "overlay",
                    "fgcolor": "#ffffff",
                    "solidity": 0.3,
                },
                "line": {"color": "#1b1b1b", "width": 0.5},
            },
            "hovertemplate": "%{x}<br>%{y:+.1f}%<br>%{text}<extra></extra>",
        }
    ]
    figure = {
        "data": data,
        "layout": _layout(
            showlegend=False,
            xaxis={"type": "category", "fixedrange": True},
            yaxis={"title": {"text": "% change"}, "fixedrange": True, "zeroline": True, "ticksuffix": "%"},
        ),
        "config": CONFIG,
    }
    return chart_context(
        id=id,
        caption="Year-over-year change in the budget (increases solid, cuts crossed, no change dotted)",
        summary=change_summary(changes),
        figure=figure if shown else None,
        headers=["Fiscal year", "Budget", "Change", "Change %"],
        rows=[
            (
                f"FY{change.year}",
                (money_text(change.amount), money_text(change.change), percent_text(change.percent)),
            )
            for change in changes
        ],
        table_caption="The budget and its change from the year before",
    )


def change_summary(changes: Sequence[Change]) -> str:
    known = [change for change in changes if change.change is not None]
    if not known:
        return "Not enough fiscal years for a change yet."
    words = [
        f"FY{change.year} {change.kind} of {money_text(abs(change.change or 0))} ({percent_text(change.percent)})"
        for change in known
    ]
    return "; ".join(words) + "."


def cost_chart(name: str, context: dict, *, id: str) -> dict:
    """A measure's cost per unit over time (periods without a cost left as gaps, never drawn as zero)."""
    trend = context["trend"]
    figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Cost per unit",
                "x": [cost["label"] for cost in trend],
                "y": [_number(cost["cost"]) for cost in trend],
                "connectgaps": False,
                "line": {"color": BLUE, "width": 2},
                "marker": {"size": 8, "symbol": "circle", "color": BLUE},
                "hovertemplate": "%{x}<br>$%{y:,.2f} per unit<extra></extra>",
            }
        ],
        "layout": _layout(
            showlegend=False,
            height=280,
            xaxis={"type": "category", "fixedrange": True},
            yaxis={"title": {"text": "Dollars per unit"}, "rangemode": "tozero", "fixedrange": True},
        ),
        "config": CONFIG,
    }
    return chart_context(
        id=id,
        caption=f"{name}: cost per unit",
        summary=f"{context['summary']} {context['alignment']}",
        figure=figure if any(cost["cost"] is not None for cost in trend) else None,
        headers=["Period", "Actual spending", "Value", "Cost per unit"],
        rows=[(cost["label"], (cost["spending_text"], cost["units_text"], cost["cost_text"])) for cost in trend],
        table_caption=f"{name}: spending, value and cost per unit by period",
    )
