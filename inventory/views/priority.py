"""Prioritisation: the program's weights for the dataset priority score, the formula in plain words, and the top
datasets by score with each one's reasons. The principal and Stat lead change the weights ("program settings");
Stat analysts see them read-only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.http import require_get_or_post
from team.access import actor_for, require
from team.forms import add_service_errors

from ..access import can_set_priority_weights, can_view_priorities, datasets_readable_by
from ..forms import WeightsForm
from ..models import PriorityWeights
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
                return redirect("inventory:priority")
    ranking = priority_ranking(datasets_readable_by(actor), weights, limit=TOP)
    return render(
        request,
        "inventory/priority.html",
        {
            "form": form,
            "may_change": may_change,
            "weights": weights,
            "formula": formula_in_words(weights),
            "ranking": ranking,
            "top": TOP,
        },
    )
