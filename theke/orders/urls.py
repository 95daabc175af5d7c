"""Staff URLs of the orders domain."""

from django.urls import path

from theke.orders import staff_views as views

app_name = "orders"

urlpatterns = [
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("quotes/<int:pk>/pdf/", views.quote_pdf, name="quote_pdf"),
]
