"""Prioritisation: the program's weights for the dataset priority score, the formula in plain words, and the top
datasets by score with each one's reasons: those still to bring in (not published or retired), or every dataset with
``?show=all``. The principal and Stat lead change the weights ("program settings");
Stat analysts see them read-only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core.http import require_get_or_post
from team.access import actor_for, require
from team.forms import add_service_errors

from ..access import can_set_priority_weights, can_view_priorities, datasets_readable_by
from ..forms import RankingForm, WeightsForm
from ..models import Dataset, PriorityWeights
from ..services.priority import formula_in_words, priority_ranking, priority_weights_update

TOP = 20


@require_get_or_post
@login_required
def priority(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require(can_view_priorities(actor), "Only the Stat team can see the prioritisation.")
    may_change = can_set_priority_weights(actor)
    weights = PriorityWeights.current()
    form = WeightsForm(weights=weights, read_only=not may_change)
    ranking_form = RankingForm(request.GET if "show" in request.GET else None)
    if request.method == "POST":
        require(may_change, "Only the principal or the Stat lead can change the priority weights.")
        form = WeightsForm(request.POST, weights=weights)
        if form.is_valid():
            try:
                priority_weights_update(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Saved the priority weights; the ranking below uses them.")
                # Back to the ranking the user was reading (the weights form posts to the page's own address).
                query = f"?show={RankingForm.ALL}" if ranking_form.shows_all else ""
                return redirect(reverse("inventory:priority") + query)
    datasets = Dataset.objects.all() if ranking_form.shows_all else Dataset.objects.to_bring_in()
    ranking = priority_ranking(datasets_readable_by(actor, datasets), weights, limit=TOP)
    return render(
        request,
        "inventory/priority.html",
        {
            "form": form,
            "may_change": may_change,
            "weights": weights,
            "formula": formula_in_words(weights),
            "ranking": ranking,
            "ranking_form": ranking_form,
            "shows_all": ranking_form.shows_all,
            "top": TOP,
        },
    )
