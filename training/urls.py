from django.urls import path

import portal.tabular  # noqa: F401 - registers <export:fmt>

from . import manager_views, views

app_name = "training"

urlpatterns = [
    # Not "": the training section itself may live at /training/ (the demo's does).
    path("go/", views.training_home, name="home"),
    path("readiness/", manager_views.readiness_page, name="readiness"),
    path(
        "readiness/export.<export:fmt>",
        manager_views.readiness_page,
        name="readiness_export",
    ),
    path("readiness/agents/<int:agent_id>/sign-off/", manager_views.sign_off_view, name="sign_off"),
]
