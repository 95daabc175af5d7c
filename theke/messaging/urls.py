"""Staff URLs of messaging: each staff_views module brings its own patterns."""

from theke.messaging.staff_views import conversations, deliveries, inbox, quarantine, templates

app_name = "messaging"

urlpatterns = [
    *templates.urlpatterns,
    *deliveries.urlpatterns,
    *inbox.urlpatterns,
    *conversations.urlpatterns,
    *quarantine.urlpatterns,
]
