"""The tickets API, included at ``api/`` by helpdesk/urls.py (names: ``tickets_api:ticket-...``)."""

from rest_framework.routers import SimpleRouter

from tickets.api import TicketViewSet

app_name = "tickets_api"

router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="ticket")

urlpatterns = router.urls
