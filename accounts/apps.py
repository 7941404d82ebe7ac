from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        # The cached user's invalidation listens to every save of a user, in every process.
        from accounts import backends  # noqa: F401
