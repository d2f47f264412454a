from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("on/<int:page_id>/", views.raise_view, name="raise"),
    path("<int:item_id>/", views.raised_view, name="raised"),
    path("mine/", views.mine_view, name="mine"),
    path("credited/", views.vendor_view, name="vendor"),
]
