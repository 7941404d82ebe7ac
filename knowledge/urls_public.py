"""Knowledge-base URLs (public): browse, search, read, vote, and deflection on the request form."""

from django.urls import path

from knowledge.views import deflection, public

app_name = "kb"

urlpatterns = [
    path("", public.home, name="home"),
    path("search/", public.search, name="search"),
    path("<int:pk>/", public.article, name="article"),
    path("<int:pk>/vote/", public.vote, name="vote"),
    path("suggest/", deflection.suggest, name="suggest"),
    path("<int:pk>/solved/", deflection.solved, name="deflect_solved"),
    path("solved/", deflection.thanks, name="deflect_thanks"),
]
