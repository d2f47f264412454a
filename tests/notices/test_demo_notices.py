"""The demo notices load once, delivered, with acknowledgements and a material change."""

import pytest
from django.core import mail

from notices.demo import load_demo_notices
from notices.models import Acknowledgement, ChangeNoticePage, Delivery
from notices.versions import current_material_version
from portal.audit.chain import verify_chain
from portal.organisation.demo import load_demo_organisation

pytestmark = pytest.mark.django_db


def test_demo_notices_load_once_and_are_consistent():
    load_demo_organisation()
    assert load_demo_notices() == 4
    assert load_demo_notices() == 0
    refund = ChangeNoticePage.objects.get(kind="policy")
    assert current_material_version(refund).number == 2
    assert Delivery.objects.filter(version__notice__kind="launch").count() > 50
    assert Acknowledgement.objects.filter(notice=refund).exists()
    assert not Acknowledgement.objects.filter(version=current_material_version(refund)).exists()
    assert mail.outbox
    assert verify_chain().intact
