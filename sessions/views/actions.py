"""Action items: the tracker (/sessions/action-items/, filtered, paginated, charted, exported as CSV), an item's page
with its history and the forms that update, complete and merge it, an update's attachment, and a session's agenda
for the screen with the form that records items live. Who may do what is :mod:`sessions.access`'s to say; every
change goes through :mod:`sessions.services`."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from goals.access import measures_readable_by
from inventory.access import datasets_readable_by
from team.access import actor_for, require

from .. import charts_actions as charts
from .. import exports, extensions, selectors_actions, services
from ..access import (
    RECORD_ONLY,
    SESSIONS,
    action_items_readable_by,
    can_read_action_items,
    can_read_memo,
    can_record_action_items,
    can_update_action_item,
    get_action_item_for_user,
    get_session_for_user,
)
from ..filters import ActionItemFilter, use_tracker_choices
from ..forms import (
    ActionItemCompleteForm,
    ActionItemForm,
    ActionItemMergeForm,
    ActionItemUpdateForm,
    apply_errors,
)
from ..models import ActionItem, ActionItemUpdate, Memo

ITEMS_PER_PAGE = 50
NO_ITEMS = "The action items are for the Stat team, the seats at the table and the departments' staff."


def _filterset(request: HttpRequest, fingerprint: str) -> ActionItemFilter:
    actor = actor_for(request.user)
    require(can_read_action_items(actor), NO_ITEMS)
    readable = action_items_readable_by(actor)
    filterset = ActionItemFilter(request.GET, queryset=selectors_actions.tracker_items(readable), request=request)
    for field in filterset.form.fields.values():
        field.help_text = ""
    use_tracker_choices(
        filterset.form,
        owners=selectors_actions.tracker_cached(
            "owners", readable, lambda: selectors_actions.tracker_owner_choices(readable), fingerprint=fingerprint
        ),
        sessions=selectors_actions.tracker_cached(
            "sessions", readable, lambda: selectors_actions.tracker_session_choices(readable), fingerprint=fingerprint
        ),
    )
    return filterset


@require_safe
@login_required
def action_items(request: HttpRequest) -> HttpResponse:
    """The tracker: every action item the reader may read, filtered by department, status, owner and session, a
    page at a time, with the chart of status by department of everything filtered."""
    fingerprint = selectors_actions.tracker_fingerprint()
    filterset = _filterset(request, fingerprint)
    items = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    per_session = selectors_actions.tracker_cached(
        "per-session", items, lambda: selectors_actions.tracker_per_session(items), fingerprint=fingerprint
    )
    paginator = Paginator(selectors_actions.TrackerRows(items, per_session), ITEMS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    # The chart's counts and its Plotly figure (slow to build) are made once per change of the items.
    chart = selectors_actions.tracker_cached(
        "chart",
        items,
        lambda: charts.tracker_chart(selectors_actions.status_counts_by_department(items)),
        fingerprint=fingerprint,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "stat_sessions/action_items/tracker.html",
        {
            "filter_form": filterset.form,
            "page_obj": page_obj,
            "rows": selectors_actions.tracker_rows(page_obj.object_list),
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
            "chart": chart,
            "csv_query": query.urlencode(),
            "filtered": any(value for key, value in request.GET.items() if key != "page"),
        },
    )


@require_safe
@login_required
def action_items_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered tracker as CSV (every row, not one page), text cells safe to open in a spreadsheet."""
    filterset = _filterset(request, selectors_actions.tracker_fingerprint())
    items = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    base = request.build_absolute_uri("/").rstrip("/")
    response = StreamingHttpResponse(exports.csv_lines(items, base), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="action-items-{selectors_actions.city_today():%Y-%m-%d}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- one item --------------------------------------------------------------------------------------------------------


def _item_panels(request: HttpRequest, item: ActionItem) -> list[str]:
    """The sections other apps add to the item page (:mod:`sessions.extensions`), each rendered by its own template
    with its own context, the request and the CSRF token."""
    shown = []
    for panel in extensions.action_item_panels():
        context = panel.context(request, item)
        if context is not None:
            context = {"request": request, "csrf_token": get_token(request), "item": item, **context}
            shown.append(render_to_string(panel.template, context))
    return shown


def _detail(request: HttpRequest, item: ActionItem, *, status: int = 200, **forms) -> HttpResponse:
    actor = actor_for(request.user)
    stat_team = can_record_action_items(actor)
    may_update = can_update_action_item(actor, item) and item.state != "merged"
    context = {
        "item": item,
        "status": selectors_actions.status_of(item),
        "history": selectors_actions.action_item_history(item),
        "session_readable": SESSIONS.allows(actor, item.session),
        "merged_items": item.merged_items.select_related("session__series").order_by("session__starts_at", "number"),
        "may_update": may_update,
        "stat_team": stat_team,
        "update_form": forms.get("update_form")
        or (ActionItemUpdateForm(item=item, stat_team=stat_team) if may_update else None),
        "complete_form": forms.get("complete_form") or (ActionItemCompleteForm() if may_update else None),
        "merge_form": forms.get("merge_form") or (ActionItemMergeForm(item=item) if stat_team and may_update else None),
        "panels": _item_panels(request, item),
    }
    return render(request, "stat_sessions/action_items/detail.html", context, status=status)


@require_safe
@login_required
def action_item(request: HttpRequest, pk: int) -> HttpResponse:
    """An item: what was asked, of whom, by when; its status and history (and that of the items merged into it)."""
    return _detail(request, get_action_item_for_user(request.user, pk))


@require_POST
@login_required
def action_item_update(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_action_item_for_user(request.user, pk, write=True)
    stat_team = can_record_action_items(actor_for(request.user))
    form = ActionItemUpdateForm(request.POST, request.FILES, item=item, stat_team=stat_team)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.action_item_update(
                item,
                by=request.user,
                state=data["state"] or None,
                comment=data["comment"],
                attachment=data["attachment"],
                due_date=data.get("due_date"),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Your update is recorded.")
            return redirect("stat_sessions:action_item", pk=item.pk)
    return _detail(request, item, update_form=form)


@require_POST
@login_required
def action_item_complete(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_action_item_for_user(request.user, pk, write=True)
    form = ActionItemCompleteForm(request.POST)
    if form.is_valid():
        try:
            data = form.cleaned_data
            item = services.action_item_complete(
                item, by=request.user, comment=data["comment"], completed_on=data["completed_on"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Item {item.number} is {item.get_state_display().lower()}.")
            return redirect("stat_sessions:action_item", pk=item.pk)
    return _detail(request, item, complete_form=form)


@require_POST
@login_required
def action_item_merge(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_action_item_for_user(request.user, pk, write=True)
    require(can_record_action_items(actor_for(request.user)), "Only the Stat team merges action items.")
    form = ActionItemMergeForm(request.POST, item=item)
    if form.is_valid():
        into = form.cleaned_data["into"]
        try:
            services.action_item_merge(item, into=into, by=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The item is merged; its history now shows on this one.")
            return redirect("stat_sessions:action_item", pk=into.pk)
    return _detail(request, item, merge_form=form)


@require_safe
@login_required
def action_item_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """An update's attachment, as a download (never shown inline), to those who read its item."""
    update = ActionItemUpdate.objects.filter(pk=pk).exclude(attachment="").select_related("item").first()
    if update is None:
        raise Http404("No attachment matches the given query.")
    get_action_item_for_user(request.user, update.item_id)
    response = FileResponse(
        update.attachment.open("rb"),
        as_attachment=True,
        filename=update.attachment_name or "attachment",
        content_type="application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the agenda, on the screen ---------------------------------------------------------------------------------------


def _agenda_rows(session, topics) -> list[dict]:
    start = timezone.localtime(session.starts_at, ZoneInfo(session.series.time_zone))
    rows = []
    for topic in topics:
        rows.append({"topic": topic, "starts_at": start, "seconds": topic.suggested_minutes * 60})
        start += datetime.timedelta(minutes=topic.suggested_minutes)
    return rows


def _record_form(request: HttpRequest, session, data=None) -> ActionItemForm:
    actor = actor_for(request.user)
    return ActionItemForm(
        data,
        session=session,
        measures=measures_readable_by(actor),
        datasets=datasets_readable_by(actor),
        prefix="item",
    )


def _agenda(request: HttpRequest, session, *, form: ActionItemForm | None = None, status: int = 200) -> HttpResponse:
    actor = actor_for(request.user)
    stat_team = can_record_action_items(actor)
    # The topics are the memo's: a reader who may not read the memo yet (a draft, to the department) sees none.
    memo = Memo.objects.filter(session=session).first()
    topics_hidden = memo is not None and not can_read_memo(actor, memo, session)
    topics = [] if topics_hidden else selectors_actions.agenda_topics(session)
    rows = _agenda_rows(session, topics)
    planned = sum(topic.suggested_minutes for topic in topics)
    context = {
        "session": session,
        "rows": rows,
        "planned_minutes": planned,
        "topics_hidden": topics_hidden,
        "ends_at": timezone.localtime(session.starts_at, ZoneInfo(session.series.time_zone))
        + datetime.timedelta(minutes=session.duration_minutes),
        "over_time": planned > session.duration_minutes,
        "items": selectors_actions.session_action_items(session, action_items_readable_by(actor)),
        "form": (form or _record_form(request, session)) if stat_team else None,
    }
    return render(request, "stat_sessions/agenda.html", context, status=status)


@require_safe
@login_required
def session_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda for the screen: the memo's topics in order with their minutes and start times (a plain agenda
    without JavaScript; with it, a timer per topic), the items recorded so far, and the form to record one."""
    return _agenda(request, get_session_for_user(request.user, pk))


@require_POST
@login_required
def session_action_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an item at the session: with htmx, answers the new row (appended to the list) or the form with its
    errors; without, redirects back to the agenda."""
    session = get_session_for_user(request.user, pk)
    require(can_record_action_items(actor_for(request.user)), RECORD_ONLY)
    form = _record_form(request, session, request.POST)
    htmx = request.headers.get("HX-Request") == "true"
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = services.action_item_create(
                session,
                title=data["title"],
                department=data["department"],
                due_date=data["due_date"],
                owner=data["owner"],
                priority=data["priority"],
                deliverable=data["deliverable"],
                topic=data["topic"],
                measure=data["measure"],
                dataset=data["dataset"],
                description=data["description"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if htmx:
                row = selectors_actions.session_action_items(session).get(pk=item.pk)
                return render(
                    request,
                    "stat_sessions/action_items/_agenda_recorded.html",
                    {"item": row, "session": session, "form": _record_form(request, session)},
                )
            messages.success(request, f"Item {item.number} is recorded.")
            return redirect(reverse("stat_sessions:agenda", args=[session.pk]) + "#recorded")
    if htmx:
        return render(
            request, "stat_sessions/action_items/_agenda_form.html", {"form": form, "session": session}, status=200
        )
    return _agenda(request, session, form=form)
