"""Staff URLs of the customer master. Children always sit under their customer's id."""

from django.urls import path

from theke.customers import staff_views as views
from theke.customers.staff_views import catalog

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/remove/", views.customer_remove, name="remove"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.contact_edit, name="contact_edit"),
    path(
        "<int:pk>/contacts/<int:contact_pk>/remove/",
        views.contact_remove,
        name="contact_remove",
    ),
    path("<int:pk>/locations/new/", views.location_create, name="location_create"),
    path(
        "<int:pk>/locations/<int:location_pk>/edit/",
        views.location_edit,
        name="location_edit",
    ),
    path(
        "<int:pk>/locations/<int:location_pk>/remove/",
        views.location_remove,
        name="location_remove",
    ),
    path("<int:pk>/vehicles/new/", views.vehicle_create, name="vehicle_create"),
    path("<int:pk>/vehicles/<int:vehicle_pk>/edit/", views.vehicle_edit, name="vehicle_edit"),
    path(
        "<int:pk>/vehicles/<int:vehicle_pk>/transfer/",
        views.vehicle_transfer,
        name="vehicle_transfer",
    ),
    path(
        "<int:pk>/vehicles/<int:vehicle_pk>/remove/",
        views.vehicle_remove,
        name="vehicle_remove",
    ),
    path("<int:pk>/assets/new/", views.asset_create, name="asset_create"),
    path("<int:pk>/assets/<int:asset_pk>/edit/", views.asset_edit, name="asset_edit"),
    path("<int:pk>/assets/<int:asset_pk>/remove/", views.asset_remove, name="asset_remove"),
    path("articles/", views.article_list, name="article_list"),
    path("articles/new/", views.article_create, name="article_create"),
    path("articles/<int:article_pk>/edit/", views.article_edit, name="article_edit"),
    path("articles/<int:article_pk>/remove/", views.article_remove, name="article_remove"),
    path("waste-types/", catalog.waste_type_list, name="waste_type_list"),
    path("waste-types/new/", catalog.waste_type_create, name="waste_type_create"),
    path("waste-types/<int:waste_type_pk>/edit/", catalog.waste_type_edit, name="waste_type_edit"),
    path(
        "waste-types/<int:waste_type_pk>/deactivate/",
        catalog.waste_type_deactivate,
        name="waste_type_deactivate",
    ),
    path("container-types/", catalog.container_type_list, name="container_type_list"),
    path("container-types/new/", catalog.container_type_create, name="container_type_create"),
    path(
        "container-types/<int:container_type_pk>/edit/",
        catalog.container_type_edit,
        name="container_type_edit",
    ),
    path(
        "container-types/<int:container_type_pk>/deactivate/",
        catalog.container_type_deactivate,
        name="container_type_deactivate",
    ),
]
