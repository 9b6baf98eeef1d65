"""The charts of "How the program is doing" (/sessions/measures/), as plain Plotly figure data drawn by our copy of
plotly.js (``static/js/goals-charts.js``), each with a summary and a table beside it (``goals.dashboards
.chart_context``). Lines are told apart by colour (Okabe–Ito), marker symbol and dash, and named in the legend."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from goals.charts import CONFIG, FONT, NONE_TEMPLATE
from goals.dashboards import chart_context

from .selectors_measures import ItemRates, ProgramMeasures, SessionFigures, Timeliness

#: Okabe–Ito, with a symbol and a dash per line so no line is told by colour alone.
LINE_STYLES = [
    ("#0072B2", "circle", "solid"),
    ("#D55E00", "diamond", "dash"),
    ("#009E73", "square", "dot"),
    ("#CC79A7", "triangle-up", "dashdot"),
    ("#E69F00", "x", "longdash"),
    ("#56B4E9", "star", "longdashdot"),
    ("#000000", "cross", "solid"),
]


#: How the x axis names its ticks: session dates, or months (a month's charts step a month at a time, so a chart of
#: one month does not zoom in to milliseconds).
DAYS = {"tickformat": "%b %-d, %Y"}
MONTHS = {"tickformat": "%b %Y", "dtick": "M1"}


def _layout(y_title: str, *, y_range: list[float] | None = None, x_axis: dict | None = None) -> dict:
    return {
        "template": NONE_TEMPLATE,
        "font": FONT,
        "height": 320,
        "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
        "legend": {"orientation": "h", "y": -0.25},
        "hovermode": "closest",
        "xaxis": {"type": "date", "fixedrange": True, **(x_axis or DAYS)},
        "yaxis": {"title": {"text": y_title}, "fixedrange": True, **({"range": y_range} if y_range else {})},
    }


def _line(name: str, index: int, x: list[str], y: list[float | None], hover: str) -> dict:
    color, symbol, dash = LINE_STYLES[index % len(LINE_STYLES)]
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        "x": x,
        "y": y,
        "line": {"color": color, "width": 2, "dash": dash},
        "marker": {"size": 8, "symbol": symbol, "color": color},
        "hovertemplate": hover,
    }


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def _figure(traces: list[dict], layout: dict) -> dict | None:
    return {"data": traces, "layout": layout, "config": CONFIG} if traces else None


def kpi_chart(sessions: Sequence[SessionFigures]) -> dict:
    judged = [row for row in sessions if row.judged]
    by_department: dict[str, list[SessionFigures]] = defaultdict(list)
    for row in judged:
        by_department[row.department or row.series].append(row)
    traces = [
        _line(
            name,
            index,
            [row.date.isoformat() for row in rows],
            [row.share_on_track for row in rows],
            f"{name}<br>%{{x|%b %-d, %Y}}<br>%{{y:.0f}}% of KPIs on track<extra></extra>",
        )
        for index, (name, rows) in enumerate(sorted(by_department.items()))
    ]
    if judged:
        last = judged[-1]
        summary = (
            f"{len(judged)} session{'s' if len(judged) != 1 else ''} with KPIs to judge. At the latest, "
            f"{last.series} on {last.date:%B} {last.date.day}, {last.date.year}, {last.on_track} of {last.judged} "
            f"KPIs were on track ({_percent(last.share_on_track)})."
        )
    else:
        summary = "No held session has KPIs with a value and a target for its reporting period yet."
    return chart_context(
        id="kpis",
        caption="Share of the department’s KPIs on track at each session",
        summary=summary,
        figure=_figure(traces, _layout("% of KPIs on track", y_range=[0, 100])),
        table_caption="KPIs on track at each session, as of its reporting period",
        headers=["Session", "Department", "On track", "With a value and target", "No data", "% on track"],
        rows=[
            (
                f"{row.series}, {row.date:%b} {row.date.day}, {row.date.year}",
                (
                    row.department or "—",
                    row.on_track,
                    row.judged,
                    row.kpi_total - row.judged,
                    _percent(row.share_on_track),
                ),
            )
            for row in reversed(sessions)
        ],
    )


def _item_traces(items: Sequence[ItemRates], attribute: str, label: str) -> list[dict]:
    by_department: dict[str, list[ItemRates]] = defaultdict(list)
    for row in items:
        by_department[row.department].append(row)
    return [
        _line(
            name,
            index,
            [row.month.isoformat() for row in rows],
            [getattr(row, attribute) for row in rows],
            f"{name}<br>%{{x|%b %Y}}<br>%{{y:.0f}}% {label}<extra></extra>",
        )
        for index, (name, rows) in enumerate(sorted(by_department.items()))
    ]


def items_charts(items: Sequence[ItemRates]) -> tuple[dict, dict]:
    rows = [
        (
            f"{row.month:%B %Y}",
            (
                row.department,
                row.due,
                row.completed,
                row.on_time,
                _percent(row.completion_rate),
                _percent(row.on_time_rate),
            ),
        )
        for row in reversed(items)
    ]
    headers = ["Month due", "Department", "Due", "Completed", "On time", "% completed", "% on time"]
    due = sum(row.due for row in items)
    completed = sum(row.completed for row in items)
    on_time = sum(row.on_time for row in items)
    if due:
        summary = (
            f"Of {due} action item{'s' if due != 1 else ''} due so far, {completed} were completed "
            f"({_percent(100 * completed / due)}) and {on_time} on time ({_percent(100 * on_time / due)})."
        )
    else:
        summary = "No action item has fallen due yet."
    completion = chart_context(
        id="completion",
        caption="Action items completed, by department and the month they were due",
        summary=summary,
        figure=_figure(
            _item_traces(items, "completion_rate", "completed"), _layout("% completed", y_range=[0, 100], x_axis=MONTHS)
        ),
        table_caption="Action items due each month by department: completed and on time",
        headers=headers,
        rows=rows,
    )
    on_time_chart = chart_context(
        id="on-time",
        caption="Action items completed on time, by department and the month they were due",
        summary=summary,
        figure=_figure(
            _item_traces(items, "on_time_rate", "on time"), _layout("% on time", y_range=[0, 100], x_axis=MONTHS)
        ),
        table_caption="Action items due each month by department: completed on time",
        headers=headers,
        rows=rows,
    )
    return completion, on_time_chart


def timeliness_chart(months: Sequence[Timeliness]) -> dict:
    x = [row.month.isoformat() for row in months]
    traces = []
    if any(row.memos for row in months):
        traces.append(
            _line(
                "Memos",
                0,
                x,
                [row.memo_share for row in months],
                "Memos<br>%{x|%b %Y}<br>%{y:.0f}% on time<extra></extra>",
            )
        )
    if any(row.follow_ups for row in months):
        traces.append(
            _line(
                "Follow-up memos",
                1,
                x,
                [row.follow_up_share for row in months],
                "Follow-up memos<br>%{x|%b %Y}<br>%{y:.0f}% on time<extra></extra>",
            )
        )
    memos = sum(row.memos for row in months)
    follow_ups = sum(row.follow_ups for row in months)
    parts = []
    memos_on_time = sum(row.memos_on_time for row in months)
    follow_ups_on_time = sum(row.follow_ups_on_time for row in months)
    if memos:
        parts.append(f"{memos_on_time} of {memos} briefing memos went out on time")
    if follow_ups:
        parts.append(f"{follow_ups_on_time} of {follow_ups} follow-up memos due went out on time")
    summary = "; ".join(parts) + "." if parts else "No memo or follow-up memo has been due yet."
    return chart_context(
        id="timeliness",
        caption="Memos and follow-up memos sent on time, by the month of the session",
        summary=summary,
        figure=_figure(traces, _layout("% sent on time", y_range=[0, 100], x_axis=MONTHS)),
        table_caption="Memos and follow-up memos sent on time each month",
        headers=["Month", "Memos", "On time", "Follow-ups due", "On time", "% memos", "% follow-ups"],
        rows=[
            (
                f"{row.month:%B %Y}",
                (
                    row.memos,
                    row.memos_on_time,
                    row.follow_ups,
                    row.follow_ups_on_time,
                    _percent(row.memo_share),
                    _percent(row.follow_up_share),
                ),
            )
            for row in reversed(months)
        ],
    )


def survey_chart(sessions: Sequence[SessionFigures]) -> dict:
    answered = [row for row in sessions if row.responses]
    by_series: dict[str, list[SessionFigures]] = defaultdict(list)
    for row in answered:
        by_series[row.series].append(row)
    traces = [
        _line(
            name,
            index,
            [row.date.isoformat() for row in rows],
            [row.mean_score for row in rows],
            f"{name}<br>%{{x|%b %-d, %Y}}<br>average %{{y:.1f}} of 5<extra></extra>",
        )
        for index, (name, rows) in enumerate(sorted(by_series.items()))
    ]
    responses = sum(row.responses for row in answered)
    if answered:
        mean = sum((row.mean_score or 0) * row.responses for row in answered) / responses
        summary = (
            f"{responses} answer{'s' if responses != 1 else ''} over {len(answered)} session"
            f"{'s' if len(answered) != 1 else ''}, {mean:.1f} of 5 on average."
        )
    else:
        summary = "Nobody has answered the survey yet."
    return chart_context(
        id="survey",
        caption="“Was this worth your time?”: the average answer (1 to 5) at each session",
        summary=summary,
        figure=_figure(traces, _layout("Average answer (1–5)", y_range=[1, 5])),
        table_caption="Survey answers at each session",
        headers=["Session", "Answers", "Average (1–5)"],
        rows=[
            (
                f"{row.series}, {row.date:%b} {row.date.day}, {row.date.year}",
                (row.responses, "—" if row.mean_score is None else f"{row.mean_score:.1f}"),
            )
            for row in reversed(answered)
        ],
    )


def measures_page(measures: ProgramMeasures) -> dict:
    """The page's context: its charts (each with summary and table) and the per-session table."""
    completion, on_time = items_charts(measures.items)
    return {
        "sessions": list(reversed(measures.sessions)),
        "comments": measures.comments,
        "kpi_chart": kpi_chart(measures.sessions),
        "completion_chart": completion,
        "on_time_chart": on_time,
        "timeliness_chart": timeliness_chart(measures.timeliness),
        "survey_chart": survey_chart(measures.sessions),
    }
