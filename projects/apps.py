from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = "Firms and engagements"

    def ready(self) -> None:
        from projects.tenancy import rls

        rls.connect_signals()
