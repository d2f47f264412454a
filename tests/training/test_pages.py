"""Course pages: where they live, how they are created in the admin, what the form checks,
and the agent's own training pages."""

import pytest
from django.urls import reverse
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home.models import HomePage
from knowledge.models import KnowledgeIndexPage
from portal.organisation.roles import Role
from tests.factories import make_client_staff
from training.models import CoursePage, CourseVersion, TrainingIndexPage

from .builders import pass_course, publish_course, training_section


class CourseTreeTests(WagtailPageTestCase):
    def test_tree_rules(self):
        self.assertAllowedParentPageTypes(TrainingIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(TrainingIndexPage, {CoursePage})
        self.assertAllowedParentPageTypes(CoursePage, {TrainingIndexPage})
        self.assertAllowedSubpageTypes(CoursePage, set())
        self.assertCanNotCreateAt(KnowledgeIndexPage, CoursePage)


def list_block(items):
    """Form data of a ListBlock of struct values."""
    data = {"count": len(items)}
    for index, item in enumerate(items):
        data |= {f"{index}-deleted": "", f"{index}-order": str(index)}
        data |= {f"{index}-value-{key}": value for key, value in item.items()}
    return data


def course_form(questions=None, **overrides):
    lesson = {
        "title": "환불 접수 기준",
        "minutes": "10",
        "body": streamfield([("text", rich_text("<p>수령 후 14일 이내.</p>"))]),
    }
    options = [
        {"text": "7일", "correct": ""},
        {"text": "14일", "correct": "on"},
    ]
    question = {
        "question": "환불 접수 기간은?",
        "multiple": "",
        "options": list_block(options),
        "explanation": "14일입니다.",
    }
    data = {
        "title": "환불 정책 교육",
        "slug": "refund-course",
        "summary": "환불을 기준대로 접수합니다.",
        "estimated_minutes": "30",
        "required_for_go_live": "on",
        "audience_everyone": "on",
        "audience_vendors": [],
        "audience_teams": [],
        "audience_channels": [],
        "lessons": streamfield([("lesson", lesson)]),
        "quiz": streamfield(questions if questions is not None else [("question", question)]),
        "pass_mark": "80",
        "max_attempts": "3",
        "attempt_wait_minutes": "30",
        "shuffle": "on",
        "material_change": "on",
    }
    data.update(overrides)
    return nested_form_data({k: v for k, v in data.items() if v is not None})


def add_url(section):
    return reverse("wagtailadmin_pages:add", args=["training", "coursepage", section.pk])


@pytest.mark.django_db
def test_a_publisher_creates_and_publishes_a_course_in_the_admin(client):
    section = training_section()
    publisher = make_client_staff(role=Role.CLIENT_PUBLISHER)
    client.force_login(publisher)
    response = client.post(add_url(section), {**course_form(), "action-publish": "publish"})
    assert response.status_code == 302, response.context["form"].errors
    course = CoursePage.objects.get(slug="refund-course")
    assert course.live and course.has_quiz and len(course.lessons) == 1
    version = CourseVersion.objects.get(course=course)
    assert version.material and version.published_by == publisher
    assert [item["title"] for item in version.lessons] == ["환불 접수 기준"]


@pytest.mark.django_db
def test_a_course_without_an_audience_is_refused(client):
    section = training_section()
    client.force_login(make_client_staff(role=Role.CLIENT_PUBLISHER))
    response = client.post(add_url(section), course_form(audience_everyone=None))
    assert response.status_code == 200
    assert "audience_everyone" in response.context["form"].errors
    assert not CoursePage.objects.exists()


@pytest.mark.django_db
def test_a_single_choice_question_needs_exactly_one_right_answer(client):
    section = training_section()
    client.force_login(make_client_staff(role=Role.CLIENT_PUBLISHER))
    options = [{"text": "가", "correct": "on"}, {"text": "나", "correct": "on"}]
    question = {"question": "질문", "multiple": "", "options": list_block(options),
                "explanation": ""}  # fmt: skip
    response = client.post(add_url(section), course_form(questions=[("question", question)]))
    assert response.status_code == 200
    assert "quiz" in response.context["form"].errors
    assert not CoursePage.objects.exists()


@pytest.mark.django_db
def test_the_agent_sees_their_courses_progress_and_what_is_missing(client, world):
    course = publish_course("기본 교육")
    publish_course("B사 교육", everyone=False, vendors=[world.vendor_b])
    client.force_login(world.agent_a1.user)
    response = client.get(training_section().url)
    assert response.status_code == 200
    assert [row["course"].title for row in response.context["rows"]] == ["기본 교육"]
    assert "B사 교육" not in response.content.decode()
    assert not response.context["readiness"].ready
    pass_course(course, world.agent_a1)
    response = client.get(training_section().url)
    assert response.context["readiness"].ready
    home = client.get("/")
    assert home.context["tasks"].ready_for_go_live is True
    assert home.context["tasks"].courses_to_finish == 0


@pytest.mark.django_db
def test_lessons_are_completed_by_post_and_lead_to_the_next(client, world):
    course = publish_course(lessons=2)
    ids = [block.id for block in course.lessons]
    client.force_login(world.agent_a1.user)
    assert client.get(f"{course.url}lessons/{ids[0]}/").status_code == 200
    assert client.get(f"{course.url}lessons/{ids[0]}/complete/").status_code == 405
    response = client.post(f"{course.url}lessons/{ids[0]}/complete/")
    assert response["Location"].endswith(f"lessons/{ids[1]}/")
    response = client.post(f"{course.url}lessons/{ids[1]}/complete/")
    assert response["Location"].endswith("quiz/")
    assert client.get(f"{course.url}lessons/no-such-lesson/").status_code == 404
    overview = client.get(course.url)
    assert overview.context["progress"].lessons_done == 2


@pytest.mark.django_db
def test_client_staff_preview_a_course_without_progress(client, world):
    course = publish_course()
    client.force_login(world.client_manager)
    response = client.get(course.url)
    assert response.status_code == 200 and response.context["preview"]
    lesson_id = course.lessons[0].id
    assert client.post(f"{course.url}lessons/{lesson_id}/complete/").status_code == 404


@pytest.mark.django_db
def test_a_course_agents_took_is_kept_when_deleted_in_the_admin(client, world):
    course = publish_course()
    pass_course(course, world.agent_a1)
    client.force_login(make_client_staff(role=Role.CLIENT_PUBLISHER, is_superuser=True))
    response = client.post(reverse("wagtailadmin_pages:delete", args=[course.pk]))
    assert response.status_code == 302
    assert CoursePage.objects.filter(pk=course.pk).exists()
