"""A session's page (/sessions/<pk>/): its time, place, period and states, who attends and where they sit, and its
preparation checklist; and the Stat team's actions on it (move, cancel, attendees, seats, checklist steps), each a
POST that comes back to the page. A form with errors shows the page again with the errors beside the form (400)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from team.access import actor_for
from team.forms import add_service_errors

from .. import selectors, selectors_actions, services
from ..access import action_items_readable_by, can_manage_sessions, can_read_memo, get_session_for_user
from ..forms import AttendeeAddForm, AttendeeSeatForm, ChecklistAddForm, SessionCancelForm, SessionMoveForm
from ..models import HELD_STATES, Attendee, ChecklistItem, FollowUpMemo, Memo, Seat, Session, SessionState
from ..states import AHEAD_STATES

#: The state times shown on the page, in the order a session reaches them.
STATE_TIMES = (
    (SessionState.PLANNED, "planned_at"),
    (SessionState.MEMO_DRAFTED, "memo_drafted_at"),
    (SessionState.MEMO_SENT, "memo_sent_at"),
    (SessionState.HELD, "held_at"),
    (SessionState.FOLLOW_UP_SENT, "follow_up_sent_at"),
    (SessionState.CANCELLED, "cancelled_at"),
)


def _page(request: HttpRequest, session: Session, *, status: int = 200, **forms: Form) -> HttpResponse:
    actor = actor_for(request.user)
    may_manage = can_manage_sessions(actor)
    ahead = session.state in AHEAD_STATES
    attendees = selectors.session_attendees(session)
    context = {
        "session": session,
        "series": session.series,
        "state_times": [
            {"state": state, "label": state.label, "at": getattr(session, field)} for state, field in STATE_TIMES
        ],
        "attendees": attendees,
        "seating": selectors.seating_chart(session, attendees),
        "room": selectors.ROOM,
        "checklist": selectors.session_checklist(session),
        "may_manage": may_manage,
        "ahead": ahead,
        "seat_choices": [("", "The seat that goes with the role"), *Seat.choices],
    }
    memo = Memo.objects.filter(session=session).first()
    context["memo"] = memo if memo is not None and can_read_memo(actor, memo, session) else None
    follow_up = FollowUpMemo.objects.filter(session=session).first()
    context["follow_up"] = follow_up if follow_up is not None and (may_manage or follow_up.is_sent) else None
    context["action_items"] = selectors_actions.session_action_items(session, action_items_readable_by(actor))
    context["held"] = session.state in HELD_STATES
    context["started"] = session.starts_at <= timezone.now()
    if may_manage and ahead:
        context["move_form"] = forms.get("move_form") or SessionMoveForm(session=session)
        context["cancel_form"] = forms.get("cancel_form") or SessionCancelForm()
        context["attendee_form"] = forms.get("attendee_form") or AttendeeAddForm()
        context["checklist_form"] = forms.get("checklist_form") or ChecklistAddForm(session=session)
    return render(request, "stat_sessions/session_detail.html", context, status=status)


@require_safe
@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, get_session_for_user(request.user, pk))


def _back(session: Session, anchor: str = "") -> HttpResponse:
    response = redirect("stat_sessions:session", pk=session.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@require_POST
@login_required
def session_move(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk, write=True)
    form = SessionMoveForm(request.POST, session=session)
    if form.is_valid():
        try:
            services.session_move(session, starts_at=form.starts_at, place=form.cleaned_data["place"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Moved the session; calendars will show the new time.")
            return _back(session)
    return _page(request, session, status=400, move_form=form)


@require_POST
@login_required
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk, write=True)
    form = SessionCancelForm(request.POST)
    if form.is_valid():
        try:
            services.session_cancel(session, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Cancelled the session; calendars will show it cancelled.")
            return _back(session)
    return _page(request, session, status=400, cancel_form=form)


@require_POST
@login_required
def attendee_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk, write=True)
    form = AttendeeAddForm(request.POST)
    if form.is_valid():
        try:
            added = services.attendee_add(session, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added {added.person} to the session.")
            return _back(session, "attendees-heading")
    return _page(request, session, status=400, attendee_form=form)


def _attendee(request: HttpRequest, pk: int, attendee_pk: int) -> tuple[Session, Attendee]:
    session = get_session_for_user(request.user, pk, write=True)
    return session, get_object_or_404(Attendee.objects.select_related("person"), pk=attendee_pk, session=session)


@require_POST
@login_required
def attendee_remove(request: HttpRequest, pk: int, attendee_pk: int) -> HttpResponse:
    session, attendee = _attendee(request, pk, attendee_pk)
    try:
        services.attendee_remove(attendee, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Removed {attendee.person} from the session.")
    return _back(session, "attendees-heading")


@require_POST
@login_required
def attendee_seat(request: HttpRequest, pk: int, attendee_pk: int) -> HttpResponse:
    session, attendee = _attendee(request, pk, attendee_pk)
    form = AttendeeSeatForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the seats.")
        return _back(session, "attendees-heading")
    try:
        services.attendee_set_seat(attendee, seat=form.cleaned_data["seat"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Seated {attendee.person}.")
    return _back(session, "attendees-heading")


@require_POST
@login_required
def checklist_item_mark(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk, write=True)
    item = get_object_or_404(ChecklistItem, pk=item_pk, session=session)
    done = request.POST.get("done") == "1"
    services.checklist_item_mark(item, done=done, by=request.user)
    messages.success(request, f"Marked “{item.title}” {'done' if done else 'not done'}.")
    return _back(session, "checklist-heading")


@require_POST
@login_required
def checklist_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk, write=True)
    form = ChecklistAddForm(request.POST, session=session)
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            services.checklist_item_add(
                session,
                title=form.cleaned_data["title"],
                due_at=form.due_at,
                assignee_id=assignee.pk if assignee else None,
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Added the step to the checklist.")
            return _back(session, "checklist-heading")
    return _page(request, session, status=400, checklist_form=form)
