"""A liveness check for load balancers and container health checks."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """Answers without touching the database: the process is up and serving."""
    return HttpResponse("ok", content_type="text/plain")
