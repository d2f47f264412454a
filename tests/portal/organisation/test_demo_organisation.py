"""The demo organisation loads again over itself, as ``make demo`` does on every run."""

import pytest

from portal.organisation.demo import load_demo_organisation
from portal.organisation.models import AgentProfile, RosterImport

pytestmark = pytest.mark.django_db


def test_the_demo_organisation_loads_twice():
    first = load_demo_organisation()
    people = AgentProfile.objects.count()
    # Its team leads are out of a roster's reach by then, so the second file leaves them out.
    second = load_demo_organisation()
    assert [login.username for login in second] == [login.username for login in first]
    assert AgentProfile.objects.count() == people
    assert RosterImport.objects.count() == 4
