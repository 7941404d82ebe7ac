from django.urls import path

from monitoring import views_pages

app_name = "incidents"

urlpatterns = [
    path("", views_pages.spike_list, name="spike_list"),
    path("spikes/<int:pk>/", views_pages.spike_detail, name="spike_detail"),
    path("spikes/<int:pk>/link/", views_pages.spike_link, name="spike_link"),
    path("spikes/<int:pk>/reply-all/", views_pages.spike_reply_all, name="spike_reply_all"),
]
