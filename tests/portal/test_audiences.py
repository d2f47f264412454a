"""Pages with an audience: the editor's form refuses one for nobody."""

import pytest

from notices.models import ChangeNoticePage
from tests.admin_forms import refused_fields
from tests.notices.builders import notice_form, notice_section
from tests.training.builders import course_form, training_section
from training.models import CoursePage


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("section", "model", "form"),
    [
        pytest.param(notice_section, ChangeNoticePage, notice_form, id="notice"),
        pytest.param(training_section, CoursePage, course_form, id="course"),
    ],
)
def test_a_page_without_an_audience_is_refused(client, section, model, form):
    data = form(audience_everyone=None)
    assert "audience_everyone" in refused_fields(client, section(), model, data)
