from django.apps import AppConfig
from django.core.signals import setting_changed
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    verbose_name = _("Common")

    def ready(self):
        from core import stamps

        # After the last app's tables exist: every migrate (re)installs the change stamps' triggers.
        post_migrate.connect(stamps.install_after_migrate, sender=self, dispatch_uid="core.stamps.install")
        setting_changed.connect(_forget_urls, dispatch_uid="core.urlcache.forget")


def _forget_urls(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        from core import urlcache

        urlcache.forget()
