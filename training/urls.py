from django.urls import path

import portal.tabular  # noqa: F401 - registers <export:fmt>

from . import views

app_name = "training"

urlpatterns = [
    path("readiness/", views.readiness_page, name="readiness"),
    path("readiness/export.<export:fmt>", views.readiness_export_view, name="readiness_export"),
    path("readiness/agents/<int:agent_id>/sign-off/", views.sign_off_view, name="sign_off"),
]
