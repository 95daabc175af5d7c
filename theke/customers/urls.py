from django.urls import path

from theke.customers import staff_views

app_name = "customers"

urlpatterns = [
    path("", staff_views.customer_list, name="list"),
    path("<int:pk>/", staff_views.customer_detail, name="detail"),
    path("articles/", staff_views.article_list, name="article_list"),
]
