"""django-simple-history's admin, safe with any id in the URL.

Its history pages look rows up with the raw ids from the path, so an id that
is not a number raised ``ValueError`` (a 500); here it is a 404, as Django's
own admin pages answer.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    def history_view(self, request, object_id, extra_context=None):
        self._check_ids(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_ids(object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _check_ids(self, object_id, version_id=None):
        meta = self.model._meta
        history_model = getattr(self.model, meta.simple_history_manager_attribute).model
        try:
            meta.pk.to_python(unquote(object_id))
            if version_id is not None:
                history_model._meta.get_field("history_id").to_python(version_id)
        except ValidationError:
            raise Http404 from None
