"""The knowledge-base API, included at ``api/`` by helpdesk/urls.py (names: ``knowledge_api:article-...``)."""

from rest_framework.routers import SimpleRouter

from knowledge.api import ArticleViewSet

app_name = "knowledge_api"

router = SimpleRouter()
router.register("articles", ArticleViewSet, basename="article")

urlpatterns = router.urls
