"""The anonymous post-session survey: one answer per link, nothing that ties an answer to whoever gave it."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from sessions.models import SurveyInvitation, SurveyResponse
from sessions.services.after import session_hold, survey_answer

from .after_helpers import just_held


@pytest.fixture
def tokens(police_series, users, django_capture_on_commit_callbacks):
    """Survey tokens emailed to the two people present (the police lead and the Stat lead)."""
    session = just_held(police_series)
    present = [users["police_lead"].person.pk, users["stat_lead"].person.pk]
    with django_capture_on_commit_callbacks(execute=True):
        session_hold(session, attended=present, by=users["stat_analyst"])
    return {m.to[0]: re.search(r"/sessions/survey/([^/\s]+)/", m.body).group(1) for m in mail.outbox}


def test_an_answer_carries_only_its_session_score_and_comment(tokens):
    answer = survey_answer(tokens["chief@example.gov"], score=4, comment=" Useful. ", by=None)
    assert {f.name for f in SurveyResponse._meta.get_fields()} == {"id", "session", "score", "comment"}
    assert (answer.score, answer.comment) == (4, "Useful.")
    # The invitation only says it was used; which answer it gave is not kept anywhere.
    assert {f.name for f in SurveyInvitation._meta.get_fields()} == {"id", "session", "person", "token_hash", "used"}
    assert SurveyInvitation.objects.filter(used=True).count() == 1


def test_a_link_answers_once(tokens):
    survey_answer(tokens["chief@example.gov"], score=5, by=None)
    with pytest.raises(ValidationError, match="already been used"):
        survey_answer(tokens["chief@example.gov"], score=1, comment="again", by=None)
    assert list(SurveyResponse.objects.values_list("score", flat=True)) == [5]


@pytest.mark.parametrize("score", [0, 6, "x", None, ""])
def test_a_bad_score_is_refused_with_a_message(tokens, score):
    with pytest.raises(ValidationError) as refused:
        survey_answer(tokens["chief@example.gov"], score=score, by=None)
    assert "score from 1" in str(refused.value)
    assert not SurveyResponse.objects.exists()
    assert not SurveyInvitation.objects.filter(used=True).exists()  # the link still works


def test_an_unknown_link_is_refused(tokens):
    with pytest.raises(ValidationError, match="not valid"):
        survey_answer("not-a-token", score=3, by=None)


def test_a_signed_in_or_anonymous_visitor_answers_alike(tokens, users):
    survey_answer(tokens["chief@example.gov"], score=3, by=users["police_lead"])
    survey_answer(tokens["lead@example.gov"], score=2, by=AnonymousUser())
    assert sorted(SurveyResponse.objects.values_list("score", flat=True)) == [2, 3]


# --- the page ----------------------------------------------------------------------------------------------------


def url(token):
    return reverse("stat_sessions:survey", kwargs={"token": token})


def test_the_page_needs_no_login_and_says_the_answer_is_anonymous(tokens, client):
    response = client.get(url(tokens["chief@example.gov"]))
    assert response.status_code == 200
    assert b"anonymous" in response.content
    assert response["Referrer-Policy"] == "same-origin"


def test_the_page_records_one_answer_then_says_it_was_used(tokens, client):
    response = client.post(url(tokens["chief@example.gov"]), {"score": "4", "comment": "Good"})
    assert response.status_code == 200 and b"Thank you" in response.content
    again = client.post(url(tokens["chief@example.gov"]), {"score": "1", "comment": "Bad"})
    assert b"already been used" in again.content
    assert list(SurveyResponse.objects.values_list("score", "comment")) == [(4, "Good")]


def test_the_page_shows_a_bad_score_as_an_error(tokens, client):
    response = client.post(url(tokens["chief@example.gov"]), {"score": "9"})
    assert response.status_code == 200 and b"usa-error-message" in response.content
    assert not SurveyResponse.objects.exists()


def test_an_unknown_link_is_a_404(tokens, client):
    assert client.get(url("nope")).status_code == 404
    assert client.post(url("nope"), {"score": "3"}).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_the_page_refuses_other_methods(tokens, client):
    assert client.put(url(tokens["chief@example.gov"])).status_code == 405
    assert not SurveyResponse.objects.exists()
