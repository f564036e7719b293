from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsConfig(AppConfig):
    # "sessions" is Django's own session app label; ours is "agenda_sessions".
    name = "sessions"
    label = "agenda_sessions"
    verbose_name = _("Sessions and events")
