from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "sen.documents"
    label = "documents"
    verbose_name = "Văn bản điện tử"

    def ready(self) -> None:
        # Packages and statuses that arrive over the document exchange (sen.integrations).
        from sen.documents import exchange
        from sen.integrations.handlers import register_handler

        register_handler("document", exchange.incoming_from_exchange)
        register_handler("status", exchange.status_from_exchange)
