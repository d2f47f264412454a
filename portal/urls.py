from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from contracts import urls as contracts_urls
from decisions import urls as decisions_urls
from feedback import urls as feedback_urls
from home.views import healthz, write_floor
from knowledge import urls as knowledge_urls
from notices import urls as notices_urls
from portal.accounts import urls as accounts_urls
from portal.accounts.views import AdminLogoutView
from portal.media.views import serve_media
from portal.organisation import urls as organisation_urls
from training import urls as training_urls

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Before the admin's own: its sign-out must not answer GET (see AdminLogoutView).
    path("admin/logout/", AdminLogoutView.as_view(), name="wagtailadmin_logout"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Image files, in every environment: each is served only to those who may see it.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media, name="media"),
    path("accounts/", include(accounts_urls)),
    path("org/", include(organisation_urls)),
    path("knowledge/", include(knowledge_urls)),
    path("decisions/", include(decisions_urls)),
    path("contracts/", include(contracts_urls)),
    path("notices/", include(notices_urls)),
    path("training/", include(training_urls)),
    path("feedback/", include(feedback_urls)),
]

if settings.BENCHMARK_WRITE_FLOOR:
    urlpatterns.append(path("benchmark/write-floor", write_floor))

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

# Anything not matched above is a Wagtail page; this must stay last.
urlpatterns += [path("", include(wagtail_urls))]
