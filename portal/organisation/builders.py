"""People made in code, as the roster import and the admin make them: the demo loader and
the tests' factories give accounts their roles and vendors their managers with these."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .models import AgentProfile
from .roles import Role


def give_roles(user, *roles) -> None:
    """``user`` joins the group of each role."""
    user.groups.add(*(Group.objects.get(name=Role(role).value) for role in roles))


def account(username, name, email, *roles):
    """The account ``username``, made with ``name`` and ``email`` if missing, with ``roles``."""
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"name": name, "email": email}
    )
    give_roles(user, *roles)
    return user


def vendor_manager(vendor, user, employee_number="M0001") -> AgentProfile:
    """``user`` as a manager of ``vendor``: the role, and a profile in no team."""
    give_roles(user, Role.VENDOR_MANAGER)
    profile, _ = AgentProfile.objects.get_or_create(
        user=user, defaults={"vendor": vendor, "team": None, "employee_number": employee_number}
    )
    return profile
