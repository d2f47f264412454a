from django.urls import path

from . import api

app_name = "contracts"

urlpatterns = [
    path("api/actuals/", api.actuals_api, name="api_actuals"),
]
