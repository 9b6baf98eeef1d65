from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("not yet")


roster = gaps = people = person_create = person_detail = person_edit = role_assign = role_end = department_detail = (
    _todo
)
