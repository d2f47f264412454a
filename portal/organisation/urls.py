from django.urls import path

from . import views

app_name = "organisation"

urlpatterns = [
    path("agents/", views.agent_list, name="agent_list"),
    path("agents/<int:pk>/", views.agent_detail, name="agent_detail"),
    path("roster/", views.roster_vendors_view, name="roster_import_start"),
    path("roster/template.csv", views.roster_template_view, name="roster_template"),
    path("roster/<int:vendor_id>/", views.roster_import_view, name="roster_import"),
]
