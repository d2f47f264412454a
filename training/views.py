"""Training pages for agents: their training and readiness, a course, its lessons, the
quiz and its result (the managers' readiness pages are ``manager_views``)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from portal.diffs import version_diff
from portal.organisation.models import AgentProfile
from portal.organisation.scoping import viewer_scope
from portal.visibility import live_pages

from . import progress as progress_module
from .audience import audiences, channels_of, is_for
from .models import CoursePage, CourseProgress, QuizAttempt, TrainingIndexPage
from .quiz import AttemptRefused, open_attempt, quiz_state, review, shown_questions, submit
from .readiness import agent_readiness
from .versions import changed_in, latest_version


def _own_profile(user):
    if not user.is_authenticated:
        return None
    return (
        AgentProfile.objects.for_user(user)
        .filter(user=user, status=AgentProfile.Status.ACTIVE)
        .select_related("user", "vendor", "team")
        .first()
    )


def training_home(request):
    """The header's "Training" link: the site's training section, wherever a publisher
    put it (its page, not this view, decides who may read it)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    section = live_pages(TrainingIndexPage.objects.all()).order_by("path").first()
    if section is None:
        raise Http404
    return redirect(section.url)


def serve_training_index(page, request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    scope = viewer_scope(request.user)
    profile = _own_profile(request.user)
    courses = list(live_pages(CoursePage.objects.child_of(page)).order_by("path"))
    rows = []
    readiness = None
    if profile is not None:
        readiness = agent_readiness(profile)
        urls = {course.pk: course.url for course in courses}
        for status in readiness.courses:
            status.url = urls.get(status.course.course_id, "")
        progress = {
            p.course_id: p
            for p in CourseProgress.objects.for_user(request.user).filter(agent=profile)
        }
        # Every course's audience in one go, not a few queries per course.
        course_audiences = audiences([course.pk for course in courses])
        own_channels = channels_of([profile.pk]).get(profile.pk, set())
        statuses = {s.course.course_id: s for s in readiness.courses}
        for course in courses:
            if course.pk in progress:
                progress[course.pk].course = course  # for its percent, without a query
            if course_audiences[course.pk].includes(
                profile.vendor_id, profile.team_id, own_channels
            ):
                rows.append(
                    {
                        "course": course,
                        "progress": progress.get(course.pk),
                        "status": statuses.get(course.pk),
                    }
                )
    elif scope.is_client_staff:
        rows = [{"course": course, "progress": None, "status": None} for course in courses]
    rows.sort(
        key=lambda r: (not r["course"].required_for_go_live, r["status"] and r["status"].passed)
    )
    return TemplateResponse(
        request,
        "training/training_index_page.html",
        {
            "page": page,
            "self": page,
            "rows": rows,
            "readiness": readiness,
            "profile": profile,
            "manages": scope.sees_agents,
        },
    )


def _course_access(course, request):
    """The agent's profile when the course is for them; None for client staff previewing;
    404 for anyone else."""
    user = request.user
    profile = _own_profile(user)
    if profile is not None and is_for(course, profile):
        return profile
    if viewer_scope(user).is_client_staff:
        return None
    raise Http404


def _login_required(request):
    return None if request.user.is_authenticated else redirect_to_login(request.get_full_path())


def _course_context(course, profile, request):
    version = latest_version(course)
    if version is None:
        raise Http404
    done = progress_module.done_lessons(course, profile, version) if profile else set()
    progress = progress_module.progress_of(course, profile) if profile else None
    review_ids = {
        item["id"] for item in changed_in(version, progress and progress.completed_version)
    }
    minutes = {block.id: block.value["minutes"] for block in course.lessons}
    lessons = [
        {
            **item,
            "done": item["id"] in done,
            "changed": item["id"] in review_ids and item["id"] not in done,
            "minutes": minutes.get(item["id"]),
        }
        for item in version.lessons
    ]
    passed = progress_module.is_passed(progress, version, course.has_quiz)
    return {
        "page": course,
        "self": course,
        "version": version,
        "lessons": lessons,
        "progress": progress,
        "passed": passed,
        "reviewing": bool(progress and progress.completed_version and not passed),
        "resume": progress_module.resume_lesson(course, version, done, progress),
        "quiz": quiz_state(course, profile, version) if profile and course.has_quiz else None,
        "preview": profile is None,
    }


def serve_course(course, request):
    if redirect_response := _login_required(request):
        return redirect_response
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    profile = _course_access(course, request)
    context = _course_context(course, profile, request)
    if context["reviewing"]:
        completed = course.versions.filter(number=context["progress"].completed_version).first()
        if completed and completed.revision_id:
            context["changes"] = version_diff(course, completed.revision_id, request.user)
    return TemplateResponse(request, "training/course_page.html", context)


def serve_lesson(course, request, lesson_id):
    if redirect_response := _login_required(request):
        return redirect_response
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    profile = _course_access(course, request)
    block = course.lesson_block(lesson_id)
    if block is None:
        raise Http404
    context = _course_context(course, profile, request)
    ids = [item["id"] for item in context["lessons"]]
    position = ids.index(lesson_id) if lesson_id in ids else 0
    if profile is not None:
        progress_module.note_opened(course, profile, lesson_id)
    context.update(
        {
            "lesson": block.value,
            "lesson_id": lesson_id,
            "number": position + 1,
            "lesson_done": lesson_id in {item["id"] for item in context["lessons"] if item["done"]},
            "previous_id": ids[position - 1] if position > 0 else None,
            "next_id": ids[position + 1] if position + 1 < len(ids) else None,
        }
    )
    return TemplateResponse(request, "training/lesson.html", context)


def complete_lesson(course, request, lesson_id):
    if redirect_response := _login_required(request):
        return redirect_response
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    profile = _course_access(course, request)
    if profile is None or course.lesson_block(lesson_id) is None:
        raise Http404
    progress = progress_module.complete_lesson(course, profile, lesson_id)
    version = latest_version(course)
    done = progress_module.done_lessons(course, profile, version)
    ids = [item["id"] for item in version.lessons]
    position = ids.index(lesson_id)
    following = next((i for i in ids[position + 1 :] if i not in done), None)
    following = following or next((i for i in ids if i not in done), None)
    if following:
        return redirect(course.url + course.reverse_subpage("lesson", args=[following]))
    if course.has_quiz and not progress.quiz_passed:
        messages.success(request, _("All lessons done. Time for the quiz."))
        return redirect(course.url + course.reverse_subpage("take_quiz"))
    messages.success(request, _("Course complete. Well done!"))
    return redirect(course.url)


def serve_quiz(course, request):
    if redirect_response := _login_required(request):
        return redirect_response
    profile = _course_access(course, request)
    if profile is None or not course.has_quiz:
        raise Http404
    if request.method == "POST":
        answers = {
            key.removeprefix("q-"): request.POST.getlist(key)
            for key in request.POST
            if key.startswith("q-")
        }
        try:
            attempt = submit(course, profile, request.POST.get("attempt", ""), answers)
        except (AttemptRefused, ValueError) as refusal:
            message = (
                str(refusal)
                if isinstance(refusal, AttemptRefused)
                else _("This quiz attempt does not exist. Start the quiz again.")
            )
            messages.error(request, message)
            return redirect(course.url + course.reverse_subpage("take_quiz"))
        return redirect(course.url + course.reverse_subpage("quiz_result", args=[attempt.pk]))
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    try:
        attempt = open_attempt(course, profile)
    except AttemptRefused as refusal:
        messages.info(request, str(refusal))
        return redirect(course.url)
    state = quiz_state(course, profile)
    return TemplateResponse(
        request,
        "training/quiz.html",
        {
            "page": course,
            "self": course,
            "attempt": attempt,
            "questions": shown_questions(course, attempt),
            "state": state,
            "attempt_number": state.used + 1,
        },
    )


def serve_attempt(course, request, attempt_id):
    if redirect_response := _login_required(request):
        return redirect_response
    profile = _course_access(course, request)
    if profile is None:
        raise Http404
    attempt = (
        QuizAttempt.objects.for_user(request.user)
        .filter(pk=attempt_id, agent=profile, course=course, submitted_at__isnull=False)
        .first()
    )
    if attempt is None:
        raise Http404
    return TemplateResponse(
        request,
        "training/quiz_result.html",
        {
            "page": course,
            "self": course,
            "attempt": attempt,
            "questions": review(course, attempt),
            "state": quiz_state(course, profile),
            "pass_mark": course.pass_mark,
        },
    )


# --- Managers -----------------------------------------------------------------------
