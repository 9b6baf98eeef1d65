"""The site shell's pages: the public home page, where a signed-in user lands, and the error pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_safe

from goals.access import can_read_every_measure
from sessions.access import can_read_program_measures
from team.access import actor_for

from . import selectors


@require_safe
def home(request):
    """The public home page: what the program is, for residents, press and developers. No login needed."""
    return render(request, "site/home.html", {"summary": selectors.public_summary()})


@require_safe
@login_required
def dashboard(request):
    """Where a signed-in user lands: a section for each role they hold (what is theirs to look at or act on, each
    linking only to pages they may open), then their roles and the program's tools they may use."""
    actor = actor_for(request.user)
    assignments = list(selectors.my_assignments(request.user))
    context = {
        "my_assignments": assignments,
        "home": selectors.home_for(actor, assignments, today=timezone.localdate(), now=timezone.now()),
        "reads_city_dashboard": can_read_every_measure(actor),
        "reads_program_measures": can_read_program_measures(actor),
    }
    return render(request, "site/dashboard.html", context)


def permission_denied(request, exception=None):
    return render(request, "403.html", {"message": str(exception) if exception else ""}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """The 500 page, as Django's own (the template alone, no request context, no database), with its stylesheet's
    address: the Content-Security-Policy refuses an inline <style>."""
    try:
        stylesheet = static("css/error.css")
    except Exception:  # the error page must render whatever else is wrong (a missing static manifest...)
        stylesheet = ""
    return HttpResponseServerError(loader.get_template("500.html").render({"stylesheet": stylesheet}))
