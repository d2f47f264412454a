from django.urls import path

from . import api, board_views

app_name = "contracts"

urlpatterns = [
    path("api/actuals/", api.actuals_api, name="api_actuals"),
    path("board/", board_views.board_page, name="board"),
    path("board/export.<export:fmt>", board_views.board_page, name="board_export"),
]
