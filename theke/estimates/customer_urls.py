"""The customer's pages behind an estimate link: /k/<token>/."""

from django.urls import path

from theke.estimates import customer_views

app_name = "estimate_pages"

urlpatterns = [
    path("<str:token>/", customer_views.estimate_page, name="page"),
    path("<str:token>/summe", customer_views.totals, name="totals"),
    path("<str:token>/annehmen", customer_views.accept, name="accept"),
    path("<str:token>/ablehnen", customer_views.decline, name="decline"),
    path("<str:token>/nachricht", customer_views.message, name="message"),
    path("<str:token>/antwort.pdf", customer_views.answer_pdf, name="answer_pdf"),
    path("<str:token>/fotos/<str:key>", customer_views.photo, name="photo"),
    path("<str:token>/fotos/<str:key>/klein", customer_views.photo_thumbnail, name="thumbnail"),
    path("<str:token>/fotos/<str:key>/original", customer_views.photo_original, name="original"),
]
