"""HTTP helpers every app's views share."""

from django.views.decorators.http import require_http_methods

#: A page that shows a form (GET, HEAD) and takes it back (POST); any other method is 405.
require_get_or_post = require_http_methods(["GET", "HEAD", "POST"])
