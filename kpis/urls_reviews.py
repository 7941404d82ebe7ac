"""Quality reviews (/manage/reviews/, /agent/me/reviews/) and scorecards (/manage/scorecards/)."""

from django.urls import path

from kpis import views_reviews as views

app_name = "kpis_reviews"

urlpatterns = [
    path("manage/reviews/", views.review_queue, name="queue"),
    path("manage/reviews/draw/", views.review_draw, name="draw"),
    path("manage/reviews/reviewers/", views.reviewer_list, name="reviewers"),
    path("manage/reviews/reviewers/<int:pk>/remove/", views.reviewer_remove, name="reviewer_remove"),
    path("manage/reviews/<int:pk>/", views.review_detail, name="review"),
    path("agent/me/reviews/", views.my_reviews, name="my_reviews"),
    path("agent/me/reviews/<int:pk>/", views.my_review, name="my_review"),
    path("manage/scorecards/", views.scorecard_list, name="scorecards"),
    path("manage/scorecards/new/", views.scorecard_new, name="scorecard_new"),
    path("manage/scorecards/<int:pk>/", views.scorecard_detail, name="scorecard"),
    path("manage/scorecards/<int:pk>/settings/", views.scorecard_settings, name="scorecard_settings"),
    path("manage/scorecards/<int:pk>/items/<int:item_id>/", views.scorecard_item, name="scorecard_item"),
]
