"""The briefing memo's pages: the memo (a draft the Stat team edits, or the memo as sent), its printable page and
its PDF, and the plain POST actions that draft, edit, reorder, share and send it (no script needed).

Who reads and writes is :mod:`sessions.access`'s to say: a session or memo someone may not read is a 404 (a draft
is the Stat team's alone until it is shared or sent); a change by someone who only reads is a 403. Writes go through
:mod:`sessions.services`, which check the same rules and refuse any change to a sent memo.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from core.http import require_get_or_post
from goals.selectors_dashboard import data_fingerprint
from inventory.models import Dataset
from team.access import actor_for
from team.forms import add_service_errors

from .. import selectors_actions, services
from ..access import MEMO_SENT_REFUSED, can_manage_sessions, can_read_memo, get_memo_for_user, get_session_for_user
from ..forms import MemoHeaderForm, TopicEditForm, TopicForm, TopicMoveForm
from ..models import Memo, MemoTopic, Session
from ..pdf import render_pdf
from ..selectors_memo import meeting_words, memo_data, memo_for_session

#: How long a sent memo's rendered body stays cached: it never changes (its snapshot is frozen), so only memory
#: bounds it.
SENT_BODY_SECONDS = 7 * 24 * 60 * 60


def sent_memo_page(memo: Memo, session_pk: int) -> tuple[dict, str] | None:
    """A sent memo's display data without its sections, and its sections drawn, cached under the memo and the
    moment it was sent: a sent memo is frozen, so the same markup serves every reader until it expires, and its
    snapshot (hundreds of kilobytes of JSON for a memo of 40 KPIs) is read from the database only to draw it.
    ``None`` for a draft (live data, drawn on each request)."""
    if not (memo.is_sent and memo.sent_at):
        return None
    key = f"stat-memo-page:{memo.pk}:{memo.sent_at.timestamp()}"
    cached = cache.get(key)
    if cached is None:
        data = memo_data(memo)
        body = render_to_string("stat_sessions/_memo_body.html", {"memo": data, "session_pk": session_pk})
        cached = ({name: value for name, value in data.items() if name != "sections"}, body)
        cache.set(key, cached, SENT_BODY_SECONDS)
    head, body = cached
    return head, mark_safe(body)  # noqa: S308 -- our own template's output, escaped when it was drawn


#: How long a draft's drawn sections are kept. Any change to the memo or to the data it shows changes the key first
#: (the memo's own time, the goals data's fingerprint, the action items', the day); only what the apps above add to
#: a KPI (the budget's cost per outcome) may lag, by this at most.
DRAFT_BODY_SECONDS = 5 * 60
#: Drawn in place of the CSRF token in a cached draft's forms, replaced by each reader's own token.
CSRF_SENTINEL = "csrf-token-of-the-reader"


def draft_memo_page(request: HttpRequest, memo: Memo, session_pk: int, *, editable: bool) -> tuple[dict, str]:
    """A draft's display data without its sections, and its sections drawn, cached under everything they show
    (see :data:`DRAFT_BODY_SECONDS`): the Stat team's working page costs a few fingerprint queries instead of a
    drawing of every KPI's chart and table on each request. The forms' CSRF token is the reader's own."""
    parts = (
        memo.pk,
        memo.updated_at.timestamp(),
        int(editable),
        data_fingerprint(),
        selectors_actions.tracker_fingerprint(),
    )
    key = "stat-memo-draft:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    cached = cache.get(key)
    if cached is None:
        data = memo_data(memo)
        context = {"memo": data, "session_pk": session_pk, "editable": editable, "csrf_token": CSRF_SENTINEL}
        body = render_to_string("stat_sessions/_memo_body.html", context)
        cached = ({name: value for name, value in data.items() if name != "sections"}, body)
        cache.set(key, cached, DRAFT_BODY_SECONDS)
    head, body = cached
    if editable:
        body = body.replace(CSRF_SENTINEL, get_token(request))
    return head, mark_safe(body)  # noqa: S308 -- our own template's output, escaped when it was drawn


def _memo_url(session: Session) -> HttpResponse:
    return redirect("stat_sessions:memo", pk=session.pk)


def _page(
    request: HttpRequest,
    session: Session,
    memo: Memo | None,
    *,
    header_form: MemoHeaderForm | None = None,
    topic_form: TopicForm | None = None,
    status: int = 200,
) -> HttpResponse:
    manage = can_manage_sessions(actor_for(request.user))
    editable = manage and memo is not None and not memo.is_sent
    data: dict | None = None
    body: str | None = None
    if memo is not None:
        drawn = sent_memo_page(memo, session.pk) or draft_memo_page(request, memo, session.pk, editable=editable)
        data, body = drawn
    context = {
        "session": session,
        "meeting": meeting_words(session),
        "memo": data,
        "memo_body": body,
        "editable": editable,
        "may_share": editable and session.series.no_surprises,
    }
    if editable and memo is not None:
        context["header_form"] = header_form or MemoHeaderForm(
            initial={
                "to_line": memo.to_line,
                "from_line": memo.from_line,
                "memo_date": memo.memo_date,
                "subject": memo.subject,
            }
        )
        context["topic_form"] = topic_form or TopicForm(prefix="topic")
    return render(request, "stat_sessions/memo.html", context, status=status)


@require_safe
@login_required
def memo(request: HttpRequest, pk: int) -> HttpResponse:
    """The memo of session ``pk``; to the Stat team, "Generate the draft" when it has none."""
    session = get_session_for_user(request.user, pk)
    found = memo_for_session(session)
    actor = actor_for(request.user)
    if found is None:
        if not can_manage_sessions(actor):
            raise Http404("No memo matches the given query.")
    elif not can_read_memo(actor, found, session):
        raise Http404("No memo matches the given query.")
    return _page(request, session, found)


@require_POST
@login_required
def memo_draft(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk, write=True)
    try:
        services.memo_draft(session, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The draft is ready: edit it, then send it.")
    return _memo_url(session)


def _writable(request: HttpRequest, pk: int) -> tuple[Session, Memo] | HttpResponse:
    """The session and its memo for a change, or a redirect saying a sent memo no longer changes."""
    session, found = get_memo_for_user(request.user, pk, write=True)
    if found.is_sent:
        messages.error(request, MEMO_SENT_REFUSED)
        return _memo_url(session)
    return session, found


@require_POST
@login_required
def memo_header(request: HttpRequest, pk: int) -> HttpResponse:
    target = _writable(request, pk)
    if isinstance(target, HttpResponse):
        return target
    session, found = target
    form = MemoHeaderForm(request.POST)
    if form.is_valid():
        try:
            services.memo_update(found, **form.cleaned_data, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The header is saved.")
            return _memo_url(session)
    return _page(request, session, found, header_form=form)


@require_POST
@login_required
def topic_add(request: HttpRequest, pk: int) -> HttpResponse:
    target = _writable(request, pk)
    if isinstance(target, HttpResponse):
        return target
    session, found = target
    form = TopicForm(request.POST, prefix="topic")
    if form.is_valid():
        try:
            services.topic_add(found, **form.cleaned_data, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{form.cleaned_data['title']}” is added.")
            return _memo_url(session)
    return _page(request, session, found, topic_form=form)


def _datasets_for(session: Session):
    datasets = Dataset.objects.order_by("title")
    if session.series.department_id is not None:
        datasets = datasets.filter(department_id=session.series.department_id)
    return datasets


@require_get_or_post
@login_required
def topic_edit(request: HttpRequest, pk: int, topic_pk: int) -> HttpResponse:
    target = _writable(request, pk)
    if isinstance(target, HttpResponse):
        return target
    session, found = target
    topic = get_object_or_404(MemoTopic.objects.select_related("measure", "dataset"), pk=topic_pk, memo=found)
    datasets = _datasets_for(session)
    if request.method == "POST":
        form = TopicEditForm(request.POST, datasets=datasets)
        if form.is_valid():
            try:
                services.topic_update(topic, **form.cleaned_data, by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"“{form.cleaned_data['title']}” is saved.")
                return _memo_url(session)
    else:
        form = TopicEditForm(
            datasets=datasets,
            initial={
                "title": topic.title,
                "section": topic.section,
                "narrative": topic.narrative,
                "suggested_minutes": topic.suggested_minutes,
                "questions": topic.questions,
                "dataset": topic.dataset_id,
            },
        )
    context = {"session": session, "meeting": meeting_words(session), "topic": topic, "form": form}
    return render(request, "stat_sessions/memo_topic_form.html", context)


@require_POST
@login_required
def topic_remove(request: HttpRequest, pk: int, topic_pk: int) -> HttpResponse:
    target = _writable(request, pk)
    if isinstance(target, HttpResponse):
        return target
    session, found = target
    topic = get_object_or_404(MemoTopic, pk=topic_pk, memo=found)
    services.topic_remove(topic, by=request.user)
    messages.success(request, f"“{topic.title}” is removed.")
    return _memo_url(session)


@require_POST
@login_required
def topic_move(request: HttpRequest, pk: int, topic_pk: int) -> HttpResponse:
    target = _writable(request, pk)
    if isinstance(target, HttpResponse):
        return target
    session, found = target
    topic = get_object_or_404(MemoTopic, pk=topic_pk, memo=found)
    form = TopicMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say up, down or a position.")
        return _memo_url(session)
    position = form.cleaned_data.get("position")
    services.topic_move(
        topic,
        direction=form.cleaned_data.get("direction") or None,
        position=None if position is None else position - 1,
        by=request.user,
    )
    return redirect(reverse("stat_sessions:memo", kwargs={"pk": session.pk}) + f"#topic-{topic.pk}")


@require_POST
@login_required
def memo_share(request: HttpRequest, pk: int) -> HttpResponse:
    target = _writable(request, pk)
    if isinstance(target, HttpResponse):
        return target
    session, found = target
    try:
        services.memo_share(found, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The draft is shared with the department: its lead and contacts are emailed.")
    return _memo_url(session)


@require_POST
@login_required
def memo_send(request: HttpRequest, pk: int) -> HttpResponse:
    target = _writable(request, pk)
    if isinstance(target, HttpResponse):
        return target
    session, found = target
    services.memo_send(found, by=request.user)
    messages.success(request, "The memo is sent: it is frozen as it stands, and the attendees are emailed.")
    return _memo_url(session)


@require_safe
@login_required
def memo_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The memo on one printable page (a print stylesheet; the charts with their captions)."""
    session, found = get_memo_for_user(request.user, pk)
    return render(request, "stat_sessions/memo_print.html", {"session": session, "memo": memo_data(found)})


@require_safe
@login_required
def memo_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable page as a PDF (WeasyPrint), charts drawn in it."""
    session, found = get_memo_for_user(request.user, pk)
    body = render_pdf("stat_sessions/memo_print.html", {"session": session, "memo": memo_data(found), "pdf": True})
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="memo-session-{session.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
