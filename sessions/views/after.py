"""After the meeting: attendance and "mark as held" (/sessions/<pk>/held/), the follow-up memo
(/sessions/<pk>/follow-up/ and its PDF), the anonymous survey (/sessions/survey/<token>/, no login) and "How the
program is doing" (/sessions/measures/).

Who may do what is :mod:`sessions.access`'s: a session the reader may not read is a 404; changing it is the Stat
team's (403 for those who only read); a draft follow-up memo is the Stat team's until it is sent (404 for the
others). The services check the same rules.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core.http import require_get_or_post
from team.access import actor_for, require
from team.forms import add_service_errors

from .. import selectors, selectors_measures
from ..access import MEASURES_ONLY, can_manage_sessions, can_read_program_measures, get_session_for_user
from ..charts import measures_page
from ..forms import AttendanceForm, FollowUpForm, SurveyForm
from ..models import HELD_STATES, FollowUpMemo, Session, SessionState
from ..pdf import render_pdf
from ..services import after as services

PDF_TYPE = "application/pdf"


@require_get_or_post
@login_required
def session_held(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a session held with who attended, or correct the attendance of one that was."""
    session = get_session_for_user(request.user, pk, write=True)
    attendees = list(session.attendees.select_related("person").order_by("role", "person__full_name"))
    held = session.state in HELD_STATES
    initial = {"attended": [str(a.person_id) for a in attendees if a.attended]}
    form = AttendanceForm(request.POST if request.method == "POST" else None, attendees=attendees, initial=initial)
    if request.method == "POST" and form.is_valid():
        action = services.session_record_attendance if held else services.session_hold
        try:
            action(session, attended=[int(value) for value in form.cleaned_data["attended"]], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Attendance corrected."
                if held
                else "The session is marked as held; those present are invited to the survey.",
            )
            return redirect("stat_sessions:session_held", pk=session.pk)
    return render(
        request,
        "stat_sessions/held.html",
        {
            "session": session,
            "form": form,
            "held": held,
            "cancelled": session.state == SessionState.CANCELLED,
            "started": session.starts_at <= timezone.now(),
            "follow_up_url": reverse("stat_sessions:follow_up", kwargs={"pk": session.pk}),
        },
    )


def _follow_up_for(request: HttpRequest, pk: int) -> tuple[Session, FollowUpMemo | None, bool]:
    """The session, its follow-up memo for this reader (``None`` when there is none yet) and whether they manage
    it. A draft is the Stat team's: 404 for readers until it is sent."""
    session = get_session_for_user(request.user, pk)
    manages = can_manage_sessions(actor_for(request.user))
    follow_up = FollowUpMemo.objects.filter(session=session).select_related("sent_by__person").first()
    if follow_up is not None:
        follow_up.session = session
    if not manages and (follow_up is None or not follow_up.is_sent):
        raise Http404("No follow-up memo has been sent for this session.")
    return session, follow_up, manages


@require_get_or_post
@login_required
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """The follow-up memo: for the Stat team, a button to draft it once the session is held, then the draft with
    its header form; for everyone who reads the session, the memo as sent, read-only, with its archived PDF."""
    session, follow_up, manages = _follow_up_for(request, pk)
    if request.method == "POST":
        require(manages, "Only the Stat team writes follow-up memos.")
        require(follow_up is None or not follow_up.is_sent, services.FOLLOW_UP_SENT_REFUSED)
    if follow_up is None:
        if request.method == "POST":
            try:
                services.follow_up_draft(session, by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            return redirect("stat_sessions:follow_up", pk=session.pk)
        return render(
            request,
            "stat_sessions/follow_up_start.html",
            {"session": session, "held": session.state in HELD_STATES},
        )
    form = None
    if not follow_up.is_sent:
        initial = {
            "to_line": follow_up.to_line,
            "from_line": follow_up.from_line,
            "memo_date": follow_up.memo_date,
            "subject": follow_up.subject,
            "introduction": follow_up.introduction,
            "reply_to": follow_up.reply_to,
        }
        form = FollowUpForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.follow_up_update(follow_up, **form.cleaned_data, by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The follow-up memo is saved.")
                return redirect("stat_sessions:follow_up", pk=session.pk)
    return render(
        request,
        "stat_sessions/follow_up.html",
        {
            "session": session,
            "follow_up": follow_up,
            "memo": selectors.follow_up_shown(follow_up),
            "form": form,
            "manages": manages,
        },
    )


@require_POST
@login_required
def follow_up_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the follow-up memo (the page's confirmation asks first): emailed with its PDF, frozen, archived."""
    session = get_session_for_user(request.user, pk, write=True)
    follow_up = FollowUpMemo.objects.filter(session=session).first()
    if follow_up is None:
        raise Http404("This session has no follow-up memo to send.")
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the confirmation to send the follow-up memo.")
        return redirect("stat_sessions:follow_up", pk=session.pk)
    try:
        services.follow_up_send(follow_up, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The follow-up memo was sent to the department with its PDF, and archived.")
    return redirect("stat_sessions:follow_up", pk=session.pk)


@require_safe
@login_required
def follow_up_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The archived PDF of a sent follow-up memo (exactly what was emailed); for the Stat team, a draft's preview.
    Should the archived file be gone from the storage, the memo as sent (its snapshot) is drawn again, not a 500."""
    _, follow_up, _ = _follow_up_for(request, pk)
    if follow_up is None:
        raise Http404("This session has no follow-up memo yet.")
    if follow_up.is_sent and follow_up.pdf and follow_up.pdf.storage.exists(follow_up.pdf.name):
        response = FileResponse(follow_up.pdf.open("rb"), content_type=PDF_TYPE)
    else:
        response = HttpResponse(
            render_pdf(services.FOLLOW_UP_PDF_TEMPLATE, {"memo": selectors.follow_up_shown(follow_up)}),
            content_type=PDF_TYPE,
        )
    response["Content-Disposition"] = f'inline; filename="follow-up-{pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_get_or_post
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The post-session survey through its one-time link: no login, and the answer is stored without who gave it."""
    invitation = selectors.survey_invitation(token)
    if invitation is None:
        raise Http404("This survey link is not valid.")
    form = SurveyForm(request.POST if request.method == "POST" and not invitation.used else None)
    answered = False
    if form.is_bound and form.is_valid():
        try:
            services.survey_answer(
                token,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                by=request.user if request.user.is_authenticated else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            answered = True
    response = render(
        request,
        "stat_sessions/survey.html",
        {
            "session": invitation.session,
            "form": form,
            "answered": answered,
            "used": invitation.used and not answered,
        },
    )
    # The link's secret never leaves the site in a Referer; "no-referrer" would also blank the form's Origin, which
    # Django's CSRF check then refuses.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def measures(request: HttpRequest) -> HttpResponse:
    """How the program is doing: KPIs on track per session, action items completed (on time) by department,
    memo and follow-up timeliness, and the anonymous survey, each chart with its table."""
    require(can_read_program_measures(actor_for(request.user)), MEASURES_ONLY)
    return render(request, "stat_sessions/measures.html", measures_page(selectors_measures.program_measures()))
