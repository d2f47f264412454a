"""factory_boy factories for the organisation and its people, over the organisation's
builders (``portal.organisation.builders``)."""

import itertools

import factory
from django.contrib.auth import get_user_model

from portal.organisation.builders import give_roles, vendor_manager
from portal.organisation.models import AgentProfile, Channel, Client, Team, Vendor
from portal.organisation.roles import Role

DEFAULT_PASSWORD = "correct-horse-battery"
_managers = itertools.count(1)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client
        django_get_or_create = ("code",)

    name = "누리마켓"
    code = "NURI"


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"협력사 {n}")
    code = factory.Sequence(lambda n: f"V{n:03d}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Sequence(lambda n: f"상담 {n}팀")
    code = factory.Sequence(lambda n: f"T{n:03d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"사용자{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        give_roles(self, *(extracted or ()))


class AgentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, roles=[Role.AGENT])
    team = factory.SubFactory(TeamFactory)
    vendor = factory.LazyAttribute(lambda o: o.team.vendor)
    employee_number = factory.Sequence(lambda n: f"E{n:05d}")

    @factory.post_generation
    def channels(self, create, extracted, **kwargs):
        if extracted:
            self.channels.set(Channel.objects.filter(code__in=extracted))


def make_agent(team, **kwargs):
    return AgentProfileFactory(team=team, vendor=team.vendor, **kwargs)


def make_team_lead(team, **kwargs):
    user = UserFactory(roles=[Role.TEAM_LEAD])
    return AgentProfileFactory(team=team, vendor=team.vendor, user=user, **kwargs)


def make_vendor_manager(vendor):
    return vendor_manager(vendor, UserFactory(), employee_number=f"M{next(_managers):04d}")


def make_client_staff(role=Role.CLIENT_MANAGER, **kwargs):
    return UserFactory(roles=[role], **kwargs)
