"""Who reads and who changes the budget: every budget view, endpoint, import and service asks this module. The
naming scheme is ``team.access``'s.

* the Stat team (principal, Stat lead, analysts) and the finance seat read every department's budget;
* a budget analyst reads and edits their portfolio's departments' programs, lines, actuals, program-measure links
  and analyses (:data:`BUDGET` writers);
* a department's lead reads their department's budget;
* the public reads the adopted budget of the fiscal years the city marks public (:func:`public_lines`), nothing
  else; everyone else gets a 404.

Fiscal years, funds and import sources are the city's: the Stat lead and the budget analysts manage them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from team.access import Actor, ScopedPolicy, get_object_for_user
from team.models import PROGRAM_ROLES, Role

from .models import Analysis, BudgetLine, FiscalYear, FiscalYearStatus, Program

if TYPE_CHECKING:
    from team.access import Visitor

#: Budget lines, through their program's department (and its portfolio).
BUDGET = ScopedPolicy(
    name="budget line",
    department_field="program__department",
    read_all=frozenset(PROGRAM_ROLES | {Role.FINANCE}),
    read_own_department=frozenset({Role.DEPARTMENT_LEAD}),
    write_all=frozenset(),
    write_portfolio=frozenset({Role.BUDGET_ANALYST}),
)
#: The same rule seen from a program, a department, and an analysis (through its program or its action item).
PROGRAMS = BUDGET.seen_from("program", department_field="department")
DEPARTMENT_BUDGETS = BUDGET.seen_from("department budget", department_field="")

EDIT_REFUSED = "Only the budget analysts of this department's portfolio change its budget."
CITY_REFUSED = "Only the Stat lead and the budget analysts manage fiscal years, funds and import sources."


def public_fiscal_years_q() -> Q:
    """Fiscal years whose adopted budget the public reads: marked public, and adopted or closed."""
    return Q(public=True, status__in=[FiscalYearStatus.ADOPTED, FiscalYearStatus.CLOSED])


def public_lines(queryset: QuerySet[BudgetLine] | None = None) -> QuerySet[BudgetLine]:
    """The budget lines anyone may read (their adopted amounts only: the pages show nothing else of them)."""
    queryset = BudgetLine.objects.all() if queryset is None else queryset
    return queryset.filter(
        fiscal_year__public=True, fiscal_year__status__in=[FiscalYearStatus.ADOPTED, FiscalYearStatus.CLOSED]
    )


def can_read_budget(actor: Actor) -> bool:
    """Whether ``actor`` reads any department's budget beyond the public pages (a menu item). No query."""
    return BUDGET.reads_some(actor)


def can_manage_city_budget(actor: Actor) -> bool:
    """Fiscal years, funds, import sources: the Stat lead and budget analysts. No query."""
    return actor.has_role(Role.STAT_LEAD, Role.BUDGET_ANALYST)


def lines_readable_by(actor: Actor, queryset: QuerySet[BudgetLine] | None = None) -> QuerySet[BudgetLine]:
    return BUDGET.readable(actor, BudgetLine.objects.all() if queryset is None else queryset)


def lines_writable_by(actor: Actor, queryset: QuerySet[BudgetLine] | None = None) -> QuerySet[BudgetLine]:
    return BUDGET.writable(actor, BudgetLine.objects.all() if queryset is None else queryset)


def programs_readable_by(actor: Actor, queryset: QuerySet[Program] | None = None) -> QuerySet[Program]:
    return PROGRAMS.readable(actor, Program.objects.all() if queryset is None else queryset)


def programs_writable_by(actor: Actor, queryset: QuerySet[Program] | None = None) -> QuerySet[Program]:
    return PROGRAMS.writable(actor, Program.objects.all() if queryset is None else queryset)


def can_edit_program(actor: Actor, program: Program) -> bool:
    """May ``actor`` change ``program``'s lines, actuals, measure links and analyses (its department loaded)?"""
    return PROGRAMS.allows(actor, program, write=True)


def analyses_readable_by(actor: Actor, queryset: QuerySet[Analysis] | None = None) -> QuerySet[Analysis]:
    """Analyses of a program the actor reads, or of an action item of a department whose budget they read."""
    queryset = Analysis.objects.all() if queryset is None else queryset
    program_q = PROGRAMS.seen_from("analysis", department_field="program__department").read_q(actor)
    item_q = PROGRAMS.seen_from("analysis", department_field="action_item__department").read_q(actor)
    if program_q is None or item_q is None:
        return queryset
    return queryset.filter(program_q | item_q)


def get_program_for_user(user: Visitor, pk: int, *, write: bool = False) -> Program:
    """The program ``pk`` if ``user`` may read it (change it, with ``write``), else 404 (or 403)."""
    return get_object_for_user(
        PROGRAMS, user, Program.objects.select_related("department__portfolio"), write=write, pk=pk
    )


def get_fiscal_year(year: int) -> FiscalYear | None:
    return FiscalYear.objects.filter(year=year).first()


# --- the budget data path (import, fiscal years, program-measure links): bdata ---------------------------------------

IMPORT_REFUSED = "Only the Stat lead and the budget analysts import budget lines."
NOT_YOUR_PORTFOLIO = "not your portfolio"


def can_import_budget(actor: Actor) -> bool:
    """Who imports a finance export (and saves its column mapping): the Stat lead and the budget analysts. No query."""
    return can_manage_city_budget(actor)


def writes_department_budget(actor: Actor, department_id: int, department_portfolio_id: int | None) -> bool:
    """May ``actor`` write the budget (programs, lines, actuals, links) of this department? The budget analysts of
    its portfolio; the Stat lead, who may import the whole city's. No query (the department's portfolio is given)."""
    if actor.has_role(Role.STAT_LEAD):
        return True
    return (
        actor.has_role(Role.BUDGET_ANALYST)
        and department_portfolio_id is not None
        and department_portfolio_id in actor.portfolio_ids
    )


def can_write_program(actor: Actor, program: Program) -> bool:
    """:func:`writes_department_budget` for ``program`` (its department loaded)."""
    return writes_department_budget(actor, program.department_id, program.department.portfolio_id)


# --- analyses (cost-benefit, return on investment) -----------------------------------------------------------------
#
# An analysis belongs to its program's department, or (when it has no program) to its budget-request action item's
# department. Its readers are that department's budget readers (:func:`analyses_readable_by`); its writers the budget
# analysts of that department's portfolio and, beyond the budget lines' rule, the Stat lead: the analyses are argued
# at the Stat table, and the Stat lead runs it.

ANALYSIS_DEPARTMENTS = ScopedPolicy(
    name="analysis",
    department_field="",
    read_all=BUDGET.read_all,
    read_own_department=BUDGET.read_own_department,
    write_all=frozenset({Role.STAT_LEAD}),
    write_portfolio=BUDGET.write_portfolio,
)
ANALYSIS_REFUSED = "Only the budget analysts of this department's portfolio and the Stat lead change its analyses."


def analysis_department(analysis: Analysis):
    """The department an analysis belongs to: its program's, else its action item's (loaded or read)."""
    if analysis.program is not None:
        return analysis.program.department
    assert analysis.action_item is not None  # the analysis_of_a_program_or_an_action_item constraint
    return analysis.action_item.department


def can_edit_analyses_of(actor: Actor, department) -> bool:
    """May ``actor`` create, change and delete the analyses of ``department`` (its portfolio loaded)? No query."""
    return ANALYSIS_DEPARTMENTS.allows(actor, department, write=True)


def can_edit_analysis(actor: Actor, analysis: Analysis) -> bool:
    return can_edit_analyses_of(actor, analysis_department(analysis))


def can_add_analyses(actor: Actor) -> bool:
    """Whether ``actor`` may add an analysis somewhere (the "Add an analysis" button). No query."""
    return actor.has_role(Role.STAT_LEAD) or (actor.has_role(Role.BUDGET_ANALYST) and bool(actor.portfolio_ids))


def analysis_queryset() -> QuerySet[Analysis]:
    return Analysis.objects.select_related(
        "program__department__portfolio", "action_item__department__portfolio", "action_item__session__series"
    )


def get_analysis_for_user(user: Visitor, pk: int, *, write: bool = False) -> Analysis:
    """The analysis ``pk`` if ``user`` may read it (change it, with ``write``), else 404 (or 403)."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from team.access import actor_for

    actor = actor_for(user)
    analysis = analyses_readable_by(actor, analysis_queryset()).filter(pk=pk).first()
    if analysis is None:
        raise Http404("No analysis matches the given query.")
    if write and not can_edit_analysis(actor, analysis):
        raise PermissionDenied(ANALYSIS_REFUSED)
    return analysis
