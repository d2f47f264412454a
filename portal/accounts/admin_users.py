"""The admin's user forms with each role named in the reader's language: the groups'
own names are the keys the code matches ("Team leads"), so they stay as they are, and
only their labels are translated (``roles.group_label``)."""

from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserFilterSet, UserViewSet

from portal.organisation.roles import group_label


class _RoleLabels:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "groups" in self.fields:
            self.fields["groups"].label_from_instance = group_label


class PortalUserCreationForm(_RoleLabels, UserCreationForm):
    pass


class PortalUserEditForm(_RoleLabels, UserEditForm):
    pass


class PortalUserFilterSet(UserFilterSet):
    @property
    def form(self):
        form = super().form
        if "group" in form.fields:
            form.fields["group"].label_from_instance = group_label
        return form


class PortalUserViewSet(UserViewSet):
    filterset_class = PortalUserFilterSet

    def get_form_class(self, for_update=False):
        return PortalUserEditForm if for_update else PortalUserCreationForm
