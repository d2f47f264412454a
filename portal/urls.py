from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from knowledge import urls as knowledge_urls
from notices import urls as notices_urls
from portal.accounts import urls as accounts_urls
from portal.home.views import healthz
from portal.organisation import urls as organisation_urls
from training import urls as training_urls

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include(accounts_urls)),
    path("org/", include(organisation_urls)),
    path("knowledge/", include(knowledge_urls)),
    path("notices/", include(notices_urls)),
    path("training/", include(training_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Anything not matched above is a Wagtail page; this must stay last.
urlpatterns += [path("", include(wagtail_urls))]
