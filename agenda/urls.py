from django.urls import path

from . import views

app_name = "agenda"

# Mounted under /r/<slug:region>/ (config/urls.py): every view receives the `region` slug.
# The bare "agenda/<int:year>/" belongs to regions (the agenda's own page).
urlpatterns = [
    # Session 3: the SWOT board and key challenges.
    path("agenda/<int:year>/swot/", views.swot_board, name="swot-board"),
    path("agenda/<int:year>/swot/add/", views.swot_item_create, name="swot-item-create"),
    path("agenda/<int:year>/swot/<int:pk>/", views.swot_item_detail, name="swot-item-detail"),
    path("agenda/<int:year>/swot/<int:pk>/edit/", views.swot_item_update, name="swot-item-update"),
    path("agenda/<int:year>/swot/<int:pk>/delete/", views.swot_item_delete, name="swot-item-delete"),
    path("agenda/<int:year>/swot/<int:pk>/vote/", views.swot_vote, name="swot-vote"),
    path("agenda/<int:year>/challenges/", views.ChallengeListView.as_view(), name="challenge-list"),
    path("agenda/<int:year>/challenges/add/", views.ChallengeCreateView.as_view(), name="challenge-create"),
    path(
        "agenda/<int:year>/challenges/<int:pk>/", views.ChallengeDetailView.as_view(), name="challenge-detail"
    ),
    path(
        "agenda/<int:year>/challenges/<int:pk>/edit/",
        views.ChallengeUpdateView.as_view(),
        name="challenge-update",
    ),
    path("agenda/<int:year>/challenges/<int:pk>/delete/", views.challenge_delete, name="challenge-delete"),
    # Session 4: SMART goals and their endorsement (the portfolio is in projects.urls).
    path("agenda/<int:year>/goals/", views.GoalListView.as_view(), name="goal-list"),
    path("agenda/<int:year>/goals/add/", views.GoalCreateView.as_view(), name="goal-create"),
    path("agenda/<int:year>/goals/<int:pk>/", views.GoalDetailView.as_view(), name="goal-detail"),
    path("agenda/<int:year>/goals/<int:pk>/edit/", views.GoalUpdateView.as_view(), name="goal-update"),
    path("agenda/<int:year>/goals/<int:pk>/delete/", views.goal_delete, name="goal-delete"),
    path("agenda/<int:year>/endorsements/", views.endorsement_list, name="endorsement-list"),
    path("agenda/<int:year>/endorsements/add/", views.endorsement_create, name="endorsement-create"),
    path("agenda/<int:year>/endorsements/<int:pk>/", views.endorsement_detail, name="endorsement-detail"),
    # SWOT item → challenge → goal → project → team, as a picture.
    path("agenda/<int:year>/trace/", views.trace_detail, name="trace-detail"),
]
