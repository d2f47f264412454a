from django.urls import path

import portal.tabular  # noqa: F401 - registers <export:fmt>

from . import api, views

app_name = "decisions"

urlpatterns = [
    path("policy/<int:policy_id>/record/", views.record_view, name="record"),
    path("<int:decision_id>/", views.decision_view, name="decision"),
    path("mine/", views.my_decisions_view, name="mine"),
    path("manage/", views.report_view, name="report"),
    path("manage/export.<export:fmt>", views.report_view, name="report_export"),
    path("api/decisions/", api.record_api, name="api_record"),
]
