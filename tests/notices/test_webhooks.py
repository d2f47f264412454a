"""Per-vendor webhooks: a signed JSON POST per version, retried on 5xx, not on 4xx."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notices.models import VendorWebhook, WebhookCall
from notices.tasks import call_webhook
from notices.versions import current_material_version

from .builders import publish_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    received = []
    replies = {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(replies["status"])
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received, replies
    server.shutdown()


def test_a_vendor_webhook_gets_one_signed_post(
    world, receiver, eager_celery, django_capture_on_commit_callbacks
):
    url, received, _ = receiver
    VendorWebhook.objects.create(vendor=world.vendor_a, url=url, secret="s3cret")
    with django_capture_on_commit_callbacks(execute=True):
        notice = publish_notice(everyone=True)
    assert len(received) == 1  # vendor B has no webhook
    headers, body = received[0]
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Portal-Signature"] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["notice"]["title"] == notice.title
    assert payload["recipients"] == 4
    call = WebhookCall.objects.get()
    assert (call.status, call.attempts, call.last_status_code) == ("sent", 1, 200)
    call_webhook(current_material_version(notice).pk, world.vendor_a.pk)
    assert len(received) == 1


def test_a_refusal_is_not_retried(world, receiver, eager_celery):
    url, received, replies = receiver
    replies["status"] = 404
    VendorWebhook.objects.create(vendor=world.vendor_a, url=url, secret="x")
    notice = publish_notice(vendors=[world.vendor_a])
    call_webhook.delay(current_material_version(notice).pk, world.vendor_a.pk)
    assert len(received) == 1
    assert WebhookCall.objects.get().status == "failed"


def test_a_server_error_is_retried_then_given_up(world, receiver):
    url, received, replies = receiver
    replies["status"] = 503
    VendorWebhook.objects.create(vendor=world.vendor_a, url=url, secret="x")
    notice = publish_notice(vendors=[world.vendor_a])
    args = (current_material_version(notice).pk, world.vendor_a.pk)
    # apply() runs the retries in line, without their countdowns.
    assert call_webhook.apply(args).result == "failed"
    tries = 1 + call_webhook.max_retries
    assert len(received) == tries
    call = WebhookCall.objects.get()
    assert (call.status, call.attempts, call.last_status_code) == ("failed", tries, 503)
