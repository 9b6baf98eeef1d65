from django import template

register = template.Library()


@register.filter
def display_name(user) -> str:
    """How to name a login on a page: its person's name, else the login's full name, else its username."""
    if user is None:
        return ""
    person = getattr(user, "person", None)  # a missing reverse one-to-one raises an AttributeError subclass
    if person is not None:
        return person.full_name
    return user.get_full_name() or user.get_username()
