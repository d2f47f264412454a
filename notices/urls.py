from django.urls import path

import portal.tabular  # noqa: F401 - registers <export:fmt>

from . import manager_views, views

app_name = "notices"

urlpatterns = [
    path("<int:notice_id>/acknowledge/", views.acknowledge_view, name="acknowledge"),
    path("<int:notice_id>/acknowledged/", views.acknowledged_view, name="acknowledged"),
    path("manage/", manager_views.manage_list_view, name="manage_list"),
    path("manage/<int:notice_id>/", manager_views.manage_status_view, name="manage_status"),
    path(
        "manage/<int:notice_id>/export.<export:fmt>",
        manager_views.manage_status_view,
        name="manage_export",
    ),
    path(
        "manage/<int:notice_id>/audit.<export:fmt>",
        manager_views.manage_audit_view,
        name="manage_audit",
    ),
    path("manage/<int:notice_id>/remind/", manager_views.manage_remind_view, name="manage_remind"),
    path(
        "agents/<int:agent_id>/audit.<export:fmt>",
        manager_views.agent_audit_view,
        name="agent_audit",
    ),
]
