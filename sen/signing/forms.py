from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sen.signing import validation


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("Tệp PDF cần kiểm tra"), required=False)
    code = forms.CharField(label=_("Hoặc mã hồ sơ"), required=False, max_length=40)

    def __init__(self, *args: object, with_code: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not with_code:
            del self.fields["code"]

    def clean_file(self) -> bytes | None:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        if upload.size > validation.MAX_PDF_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 20 MB)."))
        data = upload.read()
        if not data[:1024].lstrip().startswith(b"%PDF-"):
            raise forms.ValidationError(_("Tệp không phải là tài liệu PDF."))
        return bytes(data)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not cleaned.get("file") and not cleaned.get("code") and not self.errors:
            raise forms.ValidationError(_("Chọn một tệp PDF để kiểm tra."))
        return cleaned
