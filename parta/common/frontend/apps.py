from django.apps import AppConfig


class FrontendConfig(AppConfig):
    name = "parta.common.frontend"
    label = "common_frontend"
