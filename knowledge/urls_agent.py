"""Knowledge-base URLs (agent): the staff desk at /agent/kb/."""

from django.urls import path

from knowledge.views import agent

app_name = "kb_agent"

urlpatterns = [
    path("", agent.article_list, name="list"),
    path("new/", agent.article_new, name="new"),
    path("link-search/", agent.link_search, name="link_search"),
    path("<int:pk>/", agent.article_detail, name="detail"),
    path("<int:pk>/edit/", agent.article_edit, name="edit"),
    path("<int:pk>/decide/<str:decision>/", agent.article_decide, name="decide"),
    path("<int:pk>/versions/<int:number>/", agent.version_diff, name="version"),
    path("<int:pk>/versions/<int:number>/restore/", agent.version_restore, name="restore_version"),
    path("<int:pk>/link/", agent.article_link, name="link"),
    path("<int:pk>/unlink/", agent.article_unlink, name="unlink"),
]
