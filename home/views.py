"""A liveness check for load balancers and container health checks, and the write floor
that benchmarks/ack_load.py measures acknowledgements against."""

import uuid

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .models import WorkerHeartbeat


@never_cache
def healthz(request):
    """Answers without touching the database: the process is up and serving."""
    return HttpResponse("ok", content_type="text/plain")


@require_POST
def write_floor(request):
    """A signed-in POST that inserts one row in a transaction: what any write costs on
    this server and database, so an acknowledgement's cost can be read against it.

    Only routed when BENCHMARK_WRITE_FLOOR is on (the benchmark's own server); production
    settings turn it off whatever the environment says.
    """
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    with transaction.atomic():
        WorkerHeartbeat.objects.create(worker=f"write-floor-{uuid.uuid4()}", seen_at=timezone.now())
    return HttpResponse(status=204)
