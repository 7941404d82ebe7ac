from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        # The cached user's invalidation listens to every save of a user, in every process;
        # sessions name the user in their key from the moment they sign in.
        from accounts import backends, sessions  # noqa: F401
