"""The budget pages people read: the city's budget (/budget/, for those who read every department's), a budget
analyst's portfolio (/budget/portfolio/), a department's budget (/budget/departments/<slug>/) and the public budget
(/public/budget/, the adopted budgets of the fiscal years the city marks public). Who reads what is
:mod:`budget.access`'s to say; the figures are :mod:`budget.selectors`'."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_cookie

from team.access import actor_for, get_object_for_user, require
from team.models import Department, Role

from .. import charts, costs, selectors
from ..access import DEPARTMENT_BUDGETS, can_read_budget

#: How long browsers and shared caches may keep the public budget: a newly published year shows within five minutes.
PUBLIC_MAX_AGE = 300
CITY_REFUSED = "The city’s whole budget is for the Stat team and the finance seat; your departments’ are linked here."
PORTFOLIO_REFUSED = "The portfolio view is the budget analysts’. The budgets you read are linked from /budget/."


def _content(name: str, template: str, build_context: Callable[[], dict]) -> SafeString:
    """The page's figures and charts rendered from ``template``, cached under ``name``, today and the budget's
    version (:func:`budget.selectors.budget_cached`): a request costs one query more than the shell's."""
    today = timezone.localdate()
    html = selectors.budget_cached(f"{name}:{today}", lambda: render_to_string(template, build_context()))
    # Safe: our own template's output, escaped when it was rendered; the cache holds nothing else.
    return mark_safe(html)  # noqa: S308


def _overview_context(overview: selectors.Overview, **extra) -> dict:
    return {
        "overview": overview,
        "budget_chart": charts.budget_actual_chart(overview),
        "change_chart": charts.change_chart(overview.total.changes),
        **extra,
    }


@require_safe
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The budget the reader reads, shown here rather than redirected to (the navigation's Budget link answers with
    the page itself): the city's for those who read every department's, a budget analyst's portfolio, a department
    lead's department; 404 for the others."""
    actor = actor_for(request.user)
    if DEPARTMENT_BUDGETS.reads_every(actor):
        return city(request)
    if not can_read_budget(actor):
        raise Http404("No budget for you here.")
    if actor.has_role(Role.BUDGET_ANALYST) and actor.portfolio_ids:
        return portfolio(request)
    department_slug = (
        DEPARTMENT_BUDGETS.readable(actor, Department.objects.order_by("name")).values_list("slug", flat=True).first()
    )
    if department_slug is None:
        raise Http404("No budget for you here.")
    return department(request, slug=department_slug)


@require_safe
@login_required
def city(request: HttpRequest) -> HttpResponse:
    """Every department's five fiscal years, this year's spending against budget and the requests pending."""
    actor = actor_for(request.user)
    if not can_read_budget(actor):
        raise Http404("No budget for you here.")
    require(DEPARTMENT_BUDGETS.reads_every(actor), CITY_REFUSED)
    content = _content(
        "city",
        "budget/_overview_content.html",
        lambda: _overview_context(selectors.overview(today=timezone.localdate()), scope="the city"),
    )
    return render(request, "budget/overview.html", {"title": "The city’s budget", "content": content})


@require_safe
@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    """A budget analyst's portfolio: its departments, the same figures as the city's."""
    actor = actor_for(request.user)
    if not can_read_budget(actor):
        raise Http404("No budget for you here.")
    require(actor.has_role(Role.BUDGET_ANALYST) and bool(actor.portfolio_ids), PORTFOLIO_REFUSED)
    portfolios = sorted(actor.portfolio_ids)

    def build() -> dict:
        departments = list(
            Department.objects.filter(portfolio_id__in=portfolios).order_by("name").only("pk", "name", "slug")
        )
        today = timezone.localdate()
        overview = selectors.overview(today=today, departments=departments)
        measures = selectors.department_measure_costs(None, today, department_ids=[dep.pk for dep in departments])
        return _overview_context(
            overview,
            scope="your portfolio",
            measures=measures,
            show_costs=True,
            alignment_monthly=costs.MONTHLY_ALIGNMENT,
            alignment_annual=costs.ANNUAL_ALIGNMENT,
        )

    content = _content(f"portfolio:{'-'.join(map(str, portfolios))}", "budget/_overview_content.html", build)
    return render(request, "budget/overview.html", {"title": "Your portfolio’s budget", "content": content})


@require_safe
@login_required
def department(request: HttpRequest, slug: str) -> HttpResponse:
    """A department's programs over five fiscal years, this year against budget, its requests, and the cost per
    unit of each measure its programs pay for."""
    department = get_object_for_user(DEPARTMENT_BUDGETS, request.user, Department.objects.all(), slug=slug)

    def build() -> dict:
        today = timezone.localdate()
        measures = selectors.department_measure_costs(department, today)
        for index, measure in enumerate(measures):
            measure["chart"] = charts.cost_chart(measure["name"], measure["context"], id=f"cost-{index}")
        overview = selectors.overview(today=today, department=department)
        return _overview_context(overview, department=department, measures=measures)

    content = _content(f"department:{department.pk}", "budget/_department_content.html", build)
    return render(request, "budget/department.html", {"department": department, "content": content})


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@vary_on_cookie  # a signed-in visitor's page carries their navigation: shared caches keep one per cookie
def public_budget(request: HttpRequest) -> HttpResponse:
    """The adopted budget of each fiscal year the city marks public: totals by department and program with the
    change from the year before. No login; the same for everyone, so caches may keep it."""
    content = _content("public", "budget/public/_budget_content.html", lambda: {"years": selectors.public_budget()})
    return render(request, "budget/public/budget.html", {"content": content})
