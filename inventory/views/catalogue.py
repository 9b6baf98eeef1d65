"""The public data catalogue (/public/datasets/): published, public datasets only, open to everyone.

Every other dataset answers 404 here, to everyone, signed in or not: these URLs are the public's, and a dataset
that is not public has no public page. Stewards appear by name only; no email address or phone number is shown.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import selectors
from ..filters import PublicDatasetFilter, use_plain_choices

DATASETS_PER_PAGE = 20


@require_safe
def dataset_list(request: HttpRequest) -> HttpResponse:
    filterset = PublicDatasetFilter(request.GET, queryset=selectors.public_datasets(), request=request)
    choices = selectors.public_filter_choices()
    filterset.form.fields["department"].queryset = choices["departments"].order_by("name")
    filterset.form.fields["theme"].queryset = choices["themes"].order_by("name")
    for field in filterset.form.fields.values():
        field.help_text = ""
    use_plain_choices(filterset.form)
    paginator = Paginator(filterset.qs, DATASETS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    filtered = any(value for key, value in request.GET.items() if key not in ("page", "sort"))
    return render(
        request,
        "public/dataset_list.html",
        {
            "filter_form": filterset.form,
            "filtered": filtered,
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
        },
    )


@require_safe
def dataset_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    dataset = selectors.public_dataset(identifier)
    return render(
        request,
        "public/dataset_detail.html",
        {"dataset": dataset, "spatial": selectors.spatial_coverage(dataset.spatial)},
    )
