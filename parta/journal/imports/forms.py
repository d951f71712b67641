import zipfile

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from parta.journal.imports.parser import MAX_FILE_BYTES
from parta.journal.school.models import School


class ImportUploadForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("School"),
        queryset=School.objects.none(),
        help_text=_("The school the files describe; its external_id must match the one in school.csv."),
    )
    file = forms.FileField(
        label=_("ZIP archive with the CSV files"),
        help_text=_("school.csv, students.csv and the other files of the format, in one ZIP archive, up to 50 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def __init__(self, *args: object, schools: QuerySet[School], allow_new_school: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["school"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = schools
        field.required = not allow_new_school
        field.empty_label = _("— a new school from school.csv —") if allow_new_school else None

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB. Remove unneeded files from the archive."))
        if not zipfile.is_zipfile(upload):
            raise forms.ValidationError(
                _(
                    "This is not a ZIP archive. Put the CSV files into one archive (in Windows: «Send to» → "
                    "«Compressed ZIP folder») and choose it here."
                )
            )
        upload.seek(0)
        return upload
