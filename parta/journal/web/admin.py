from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Electronic journal: administration")
admin.site.site_title = _("Electronic journal")
admin.site.index_title = _("School data")
