from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "sen.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"

    def ready(self) -> None:
        # The public verify page (sen.signing) finds a dossier's signed e-result by its code.
        from sen.dossiers.selectors import signed_result_pdf
        from sen.signing import lookup

        lookup.register("dossier", signed_result_pdf)
