"""The roster upload form, the same in the portal and in the admin."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.tabular.reading import MAX_FILE_BYTES

ROSTER_EXTENSIONS = (".csv", ".txt", ".xlsx")


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_(
            "CSV (UTF-8, or CP949/EUC-KR as Korean Excel saves it) or XLSX. "
            "The first row names the columns."
        ),
    )
    deactivate_missing = forms.BooleanField(
        label=_("Mark agents who are not in the file as left"),
        required=False,
    )
    dry_run = forms.BooleanField(
        label=_("Check only: report problems and changes, write nothing"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ROSTER_EXTENSIONS):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload
