"""Course pages: how they are created in the admin, what the form checks,
and the agent's own training pages."""

import pytest
from django.urls import reverse

from portal.organisation.roles import Role
from tests.admin_forms import published_by_a_publisher, refused_fields
from tests.factories import make_client_staff
from training.builders import pass_course
from training.models import CoursePage, CourseVersion

from .builders import course_form, list_block, publish_course, training_section


@pytest.mark.django_db
def test_a_publisher_creates_and_publishes_a_course_in_the_admin(client):
    publisher = published_by_a_publisher(client, training_section(), CoursePage, course_form())
    course = CoursePage.objects.get(slug="refund-course")
    assert course.live and course.has_quiz and len(course.lessons) == 1
    version = CourseVersion.objects.get(course=course)
    assert version.material and version.published_by == publisher
    assert [item["title"] for item in version.lessons] == ["환불 접수 기준"]


@pytest.mark.django_db
def test_a_single_choice_question_needs_exactly_one_right_answer(client):
    options = [{"text": "가", "correct": "on"}, {"text": "나", "correct": "on"}]
    question = {"question": "질문", "multiple": "", "options": list_block(options),
                "explanation": ""}  # fmt: skip
    data = course_form(questions=[("question", question)])
    assert "quiz" in refused_fields(client, training_section(), CoursePage, data)


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


@pytest.mark.django_db
def test_the_course_page_counts_the_quiz_as_the_label_says(client, world):
    from training import progress

    quiz_course = publish_course("퀴즈 있는 교육", lessons=4)
    plain = publish_course("읽기만 하는 교육", lessons=2, questions=[])
    for block in list(quiz_course.lessons)[:2]:
        progress.complete_lesson(quiz_course, world.agent_a1, block.id)
    progress.complete_lesson(plain, world.agent_a1, plain.lessons[0].id)
    client.force_login(world.agent_a1.user)

    body = client.get(quiz_course.url).content.decode()
    # Two of four lessons and the quiz still to pass: two of five steps.
    assert "4개 차시 중 2개 · 퀴즈 남음 · 40%" in body
    assert 'aria-valuenow="40"' in body
    body = client.get(plain.url).content.decode()
    assert "2개 차시 중 1개 · 50%" in body  # no quiz: the lessons are every step


@pytest.mark.django_db
def test_the_header_leads_to_training(client, world):
    section = publish_course().get_parent()
    client.force_login(world.agent_a1.user)
    home = client.get("/").content.decode()
    go = reverse("training:home")
    assert f'href="{go}">교육</a>' in home
    response = client.get(go)
    assert response.status_code == 302 and response["Location"] == section.url
    client.logout()
    assert client.get(go)["Location"].startswith(reverse("login"))
