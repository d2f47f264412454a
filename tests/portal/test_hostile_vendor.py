"""The standing hostile-vendor test: every URL of the project, walked from the resolver
(not a hand-kept list), is requested with the ids, names and paths of another vendor's
objects, as a vendor manager, a team lead, an agent and a visitor who is not signed in.

Everything of the other vendor ("ZEBRA") carries the marker in its names, titles, emails
and file contents; a response that shows the marker, or any 500, fails the test. A new
URL is covered the moment it is added; a URL whose parameters this test cannot fill
fails it, with the pattern named, until the filler below learns them.
"""

import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qsl, quote, unquote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode

from contracts.board import complete_periods
from contracts.builders import kpi, make_contract
from contracts.recording import Line, record_actuals
from contracts.reviewing import add_review_note
from decisions.recording import record_decision
from handover.models import RecordsExport
from handover.tasks import export_records
from tests.factories import TeamFactory, make_agent
from tests.feedback.builders import raise_on, resolve
from tests.knowledge.builders import article, policy, section
from tests.notices.builders import ack, draft_notice, publish_notice
from tests.portal.media.builders import make_document, make_image
from tests.training.builders import publish_course
from training.builders import pass_course

pytestmark = pytest.mark.django_db

MARKER = "zebra"
#: A tag and a word found only on vendor B's pages.
TAG = "zebra-promo"
#: Combinations tried per URL pattern, at most; beyond it each parameter is varied alone.
MAX_COMBINATIONS = 48


@dataclass
class Foreign:
    """The other vendor's objects: what to put in URLs, and what must never come back."""

    ints: list[int] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    page_paths: list[str] = field(default_factory=list)
    #: Query strings every portal URL is also asked with: ids, then words and slugs.
    queries: list[str] = field(default_factory=list)
    #: Whole URLs that no pattern alone would produce (a query on a page's path).
    extra_urls: list[str] = field(default_factory=list)
    file_contents: list[bytes] = field(default_factory=list)
    uid: str = ""


def zebra_kpi_month():
    """The latest month on the board, where a review note shows."""
    return complete_periods("month", timezone.localdate())[-1].start


def _named(user, name):
    user.name = name
    user.email = f"{name.lower().replace(' ', '.')}@onnuri.example"
    user.save()
    return user


@pytest.fixture
def foreign(world, eager_celery, django_capture_on_commit_callbacks, settings, tmp_path):
    """Vendor B as a hostile vendor A would love to see it."""
    from contracts.models import KpiActual
    from notices.models import Acknowledgement, Delivery, VendorWebhook
    from portal.organisation.models import RosterImport
    from training.models import CourseProgress, QuizAttempt, ReadinessSnapshot, SignOff
    from training.readiness import agent_readiness
    from training.signing import sign_off

    settings.HANDOVER_EXPORT_DIR = tmp_path / "handover"
    vendor = world.vendor_b
    vendor.name = "ZEBRA 컨택"
    vendor.go_live_sign_off = True
    vendor.save()
    team = world.team_b1
    team.name = "ZEBRA 부산팀"
    team.save()
    agent = world.agent_b1
    agent.go_live_date = timezone.localdate() + timedelta(days=3)
    agent.save()
    _named(agent.user, "ZEBRA Agent")
    _named(world.manager_b.user, "ZEBRA Manager")
    lead_b = make_agent(team, employee_number="ZEBRA-L1")
    other_team = TeamFactory(vendor=vendor, name="ZEBRA 대구팀", code="ZEBRA2")
    left = make_agent(other_team, status="left", employee_number="ZEBRA-9")
    _named(left.user, "ZEBRA Left")

    only_b = section("ZEBRA 전용 지식", audience=[(vendor, None)])
    secret_policy = policy(only_b, "ZEBRA 보상 기준", "ZEBRA 고객 보상 얼룩말", tags=[TAG])
    document = make_document("ZEBRA 규정.pdf", b"%PDF-1.4 zebra secret rules")
    image = make_image("ZEBRA 지도")
    secret_article = article(
        only_b,
        "ZEBRA 안내",
        "ZEBRA 상담 안내 얼룩말",
        tags=[TAG],
        blocks=[("document", document), ("image", {"image": image, "caption": "ZEBRA"})],
    )
    rendition = image.get_rendition("width-20")
    shared_section = section("공개 섹션")
    draft = article(shared_section, "ZEBRA 초안", "ZEBRA 초안 본문")
    draft.unpublish()
    # Pages everyone reads that point at vendor B's policy: the links must not name it.
    shared = article(
        shared_section,
        "보상 안내",
        f'<a linktype="page" id="{secret_policy.pk}">보상 정책</a>',
        blocks=[("related_policies", {"policies": [secret_policy]})],
    )

    with django_capture_on_commit_callbacks(execute=True):
        notice = publish_notice("ZEBRA 공지", vendors=[vendor], summary="ZEBRA 요약")
    unpublished_notice = draft_notice("ZEBRA 초안 공지", summary="ZEBRA", changes="<p>ZEBRA</p>")
    acknowledgement = ack(notice, agent, user_agent="ZEBRA browser").acknowledgement

    course = publish_course("ZEBRA 교육", everyone=False, vendors=[vendor])
    attempt = pass_course(course, agent)
    signed, _created = sign_off(agent_readiness(agent), world.manager_b.user)
    # For everyone, after B's agent was signed off: agent A confirms and finishes them,
    # then a new version points at B's policy, so A is shown what changed.
    shared_notice = publish_notice("보상 기준 변경", everyone=True)
    ack(shared_notice, world.agent_a1)
    shared_notice.affected_pages.create(page=secret_policy)
    shared_notice.material_change = True
    shared_notice.save_revision().publish()
    shared_course = publish_course("보상 교육", lessons=1)
    pass_course(shared_course, world.agent_a1)
    lessons = shared_course.lessons.raw_data
    lessons[0]["value"]["body"].append(
        {"type": "related_policies", "value": {"policies": [secret_policy.pk]}}
    )
    shared_course.lessons = lessons
    shared_course.material_change = True
    shared_course.save_revision().publish()
    shared_policy = policy(shared_section, "공용 보상 기준", "보상 요청", tags=["보상"])
    first_revision = shared_policy.live_revision_id
    shared_policy.conditions = f'<p><a linktype="page" id="{secret_policy.pk}">예외</a></p>'
    shared_policy.save_revision().publish()
    RosterImport.objects.create(
        vendor=vendor,
        filename="ZEBRA.csv",
        rows=1,
        created=1,
        updated=0,
        unchanged=0,
        deactivated=0,
    )
    VendorWebhook.objects.create(vendor=vendor, url="https://zebra.example/hook", secret="z")
    # B's agent's feedback, one on B's own policy and one credited on a shared page.
    secret_feedback = raise_on(secret_policy, agent, text="ZEBRA 의견", customer_quote="ZEBRA")
    shared_feedback = resolve(
        raise_on(shared_policy, agent, text="ZEBRA 개선", kind="idea"), notice=shared_notice
    )
    snapshot = ReadinessSnapshot.objects.create(
        day=timezone.localdate(),
        vendor=vendor,
        team=team,
        go_live_date=agent.go_live_date,
        agents=1,
        ready=1,
    )

    decision = record_decision(
        secret_policy, agent, channel="chat", customer="zebra-customer", note="ZEBRA 결정"
    )

    contract = make_contract(
        vendor,
        [
            kpi("zebra-rate", "ZEBRA 응답률"),
            kpi("zebra-csat", "ZEBRA 만족도"),
            kpi("zebra-fcr", "ZEBRA"),
        ],
        name="ZEBRA 위탁 계약",
    )
    zebra_kpi = contract.kpis.get(code="zebra-rate")
    record_actuals(
        [Line(1, zebra_kpi, "2026-10", "91", note="ZEBRA 비고")], source="entered", vendor=vendor
    )
    review_note = add_review_note(
        contract, zebra_kpi_month(), "ZEBRA 합의: 피크 인력 증원", world.manager_b.user
    )

    # A finished records export of vendor B, its archive on disk: the walk asks for it.
    records_export = RecordsExport.objects.create(vendor=vendor)
    export_records(records_export.pk)
    records_export.refresh_from_db()
    assert records_export.status == RecordsExport.Status.DONE

    objects = [
        records_export,
        contract,
        zebra_kpi,
        *KpiActual.objects.unscoped().filter(kpi=zebra_kpi),
        review_note,
        decision,
        vendor,
        team,
        other_team,
        agent,
        lead_b,
        left,
        world.manager_b,
        agent.user,
        world.manager_b.user,
        only_b,
        secret_policy,
        secret_article,
        draft,
        notice,
        unpublished_notice,
        course,
        document,
        image,
        rendition,
        acknowledgement,
        attempt,
        signed,
        snapshot,
        secret_feedback,
        shared_feedback,
        *Delivery.objects.unscoped().filter(agent=agent),
        *CourseProgress.objects.unscoped().filter(agent=agent),
        *QuizAttempt.objects.unscoped().filter(agent=agent),
        *RosterImport.objects.unscoped().filter(vendor=vendor),
        *Acknowledgement.objects.unscoped().filter(agent=agent),
        *SignOff.objects.unscoped().filter(agent=agent),
        secret_policy.latest_revision,
        notice.latest_revision,
        course.latest_revision,
    ]
    ints = sorted({obj.pk for obj in objects})
    lesson_ids = [block.id for block in course.lessons]
    shared_lesson = shared_course.lessons[0].id
    page_urls = [
        shared.url,
        shared_notice.url,
        f"{shared_course.url}lessons/{shared_lesson}/",
        secret_policy.url,
        secret_article.url,
        only_b.url,
        notice.url,
        course.url,
        f"{course.url}lessons/{lesson_ids[0]}/",
        f"{course.url}quiz/",
        f"{course.url}quiz/attempts/{attempt.pk}/",
        "/" + draft.url_path.split("/", 2)[2],
        "/" + unpublished_notice.url_path.split("/", 2)[2],
    ]
    return Foreign(
        queries=[
            f"?vendor={vendor.pk}&team={team.pk}&agent={agent.pk}&since={notice.live_revision_id}"
            f"&policy={secret_policy.pk}",
            f"?q=얼룩말&tag={TAG}&kind=policy&state=all&status=left&channel=phone&page=1",
        ],
        extra_urls=[
            f"{shared_policy.url}?since={first_revision}",
            f"{shared_course.url}",
            f"{shared_notice.url}",
        ],
        ints=ints,
        strings=[
            *map(str, ints),
            document.filename,
            image.file.name.split("/", 1)[1],
            rendition.file.name,
            image.file.name,
            *lesson_ids,
            "organisation",
            "agentprofile",
            "notices",
            "vendorwebhook",
            "contracts",
            "contract",
            "kpiactual",
            "wagtailcore",
            "page",
        ],
        page_paths=[unquote(url).lstrip("/") for url in page_urls],
        file_contents=[
            b"%PDF-1.4 zebra secret rules",
            image.file.open("rb").read(),
            records_export.path.read_bytes(),
            rendition.file.open("rb").read(),
        ],
        uid=urlsafe_base64_encode(force_bytes(agent.user.pk)),
    )


# --- Walking the resolver -----------------------------------------------------------


def url_patterns(patterns=None, chain=()):
    """Every URL of the project, as the chain of its pattern objects from the root."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, (*chain, entry.pattern))
        elif isinstance(entry, URLPattern):
            yield (*chain, entry.pattern)


_ROUTE_PART = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\((?:\?P<\w+>)?((?:[^()]|\([^()]*\))*)\)")


class UnknownParameter(LookupError):
    pass


def _candidates(kind: str, foreign: Foreign) -> list[str]:
    """What to put in a parameter: a route converter's name, or a regex group."""
    if kind == "int":
        return [str(pk) for pk in foreign.ints]
    if kind == "export":
        return ["csv", "xlsx"]
    if kind == "uidb64":
        return [foreign.uid]
    if kind == "token":
        return ["set-password", "abc-123"]
    if kind in ("str", "slug", "path", "uuid"):
        return foreign.strings
    # A regex group: every foreign value it accepts, and the words it names outright.
    pool = [*map(str, foreign.ints), *foreign.strings, *foreign.page_paths]
    words = [word for word in kind.split("|") if re.fullmatch(r"[\w\-]+", word)]
    matching = [value for value in pool if re.fullmatch(kind, value)]
    if not matching + words:
        raise UnknownParameter(kind)
    return list(dict.fromkeys(matching + words))


def _parts(pattern) -> list[tuple[str, str]]:
    """(kind, literal text around it) for each parameter of one pattern object."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern._route)
        parts = []
        for match in _ROUTE_PART.finditer(route):
            name = match["name"]
            parts.append(
                (match["converter"] or "str", name)
                if name not in ("uidb64", "token")
                else (name, name)
            )
        return parts
    regex = pattern._regex
    return [(group, group) for group in _REGEX_GROUP.findall(regex)]


def _fill(pattern, values: list[str]) -> str:
    if isinstance(pattern, RoutePattern):
        values = iter(values)
        return _ROUTE_PART.sub(lambda _m: next(values), str(pattern._route))
    text = pattern._regex.lstrip("^").rstrip("$")
    values = iter(values)
    text = _REGEX_GROUP.sub(lambda _m: next(values), text)
    return text.replace("\\", "")


def concrete_urls(foreign: Foreign):
    """Every URL pattern, filled with the other vendor's values: [(pattern text, urls)]."""
    urls: list[tuple[str, list[str]]] = []
    for chain in url_patterns():
        name = "".join(str(p) for p in chain)
        kinds = [(p, _parts(p)) for p in chain]
        slots = [kind for _p, parts in kinds for kind, _n in parts]
        options = [_candidates(kind, foreign) for kind in slots]
        combos = _combinations(options)
        filled = []
        for combo in combos:
            values = iter(combo)
            text = "".join(_fill(p, [next(values) for _ in parts]) for p, parts in kinds)
            filled.append("/" + text)
        urls.append((name, filled))
    return urls


def _combinations(options: list[list[str]]) -> list[tuple[str, ...]]:
    if not options:
        return [()]
    total = 1
    for choices in options:
        total *= len(choices)
    if total <= MAX_COMBINATIONS:
        return list(itertools.product(*options))
    # Vary one parameter at a time; the others keep their first (foreign) value.
    firsts = [choices[0] for choices in options]
    combos = {tuple(firsts)}
    for index, choices in enumerate(options):
        for value in choices:
            combos.add((*firsts[:index], value, *firsts[index + 1 :]))
    return sorted(combos)


# --- The test -------------------------------------------------------------------------


def _leaks(response, foreign: Foreign, asked: str) -> str:
    """What of the other vendor ``response`` shows: in its body (an XLSX unzipped), or
    where it redirects to. What the request itself said (its path, a query value echoed
    in a search box or a ``next``) is not a leak and is taken out first."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    for content in foreign.file_contents:
        if content and body == content:
            return "a file of the other vendor"
    if body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"\n".join(archive.read(name) for name in archive.namelist())
    text = body.decode("utf-8", "replace") + "\n" + _fully_unquoted(response.get("Location", ""))
    for echo in _echoes(asked):
        text = text.replace(echo, "")
    index = text.lower().find(MARKER)
    return text[max(0, index - 80) : index + 40] if index >= 0 else ""


def _fully_unquoted(text: str) -> str:
    # A login redirect quotes the already quoted path it came from.
    while (plain := unquote(text)) != text:
        text = plain
    return text


def _echoes(asked: str) -> list[str]:
    path, _sep, query = asked.partition("?")
    said = [asked, path, *(value for _key, value in parse_qsl(query))]
    forms = set()
    for text in said:
        text = unquote(text)
        forms |= {text, quote(text), quote(text, safe=""), escape(text), quote(text, safe="/")}
    return sorted(forms, key=len, reverse=True)


def _people(world):
    return {
        "vendor manager": world.manager_a.user,
        "team lead": world.lead_a1.user,
        "agent": world.agent_a1.user,
        "signed out": None,
    }


@pytest.mark.parametrize("role", ["vendor manager", "team lead", "agent", "signed out"])
def test_no_url_shows_another_vendor_to(role, world, foreign):
    person = _people(world)[role]
    client = Client(raise_request_exception=False)
    if person is not None:
        client.force_login(person)
    # The admin refuses vendor-side people at its door, whatever the URL: one URL of each
    # admin pattern proves the door is shut; anyone it lets in gets every URL.
    admin_open = client.get("/admin/").status_code == 200
    problems = []
    requests = []
    pages = set(foreign.page_paths)
    for pattern, concrete in concrete_urls(foreign):
        if pattern.startswith("admin/") and not admin_open:
            concrete = concrete[:1]
        for index, url in enumerate(concrete):
            requests += [(pattern, "get", url), (pattern, "post", url)]
            # Filters, searches and "since" take the other vendor's ids and words too: on
            # the first URL of each portal pattern, and on every page (a page reads its
            # query); another of the other vendor's ids in the path answers as the first.
            if not pattern.startswith("admin/") and (index == 0 or url[1:] in pages):
                requests += [(pattern, "get", url + query) for query in foreign.queries]
    requests += [("(page with a query)", "get", url) for url in foreign.extra_urls]
    for pattern, method, url in requests:
        response = getattr(client, method)(url)
        if response.status_code >= 500:
            problems.append(f"{method.upper()} {url} ({pattern}): {response.status_code}")
        elif leak := _leaks(response, foreign, url):
            problems.append(f"{method.upper()} {url} ({pattern}) shows: {leak!r}")
        if person is not None and "_auth_user_id" not in client.session:
            client.force_login(person)  # a sign-out URL worked: carry on as them
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:80])


def test_every_url_pattern_is_filled(world, foreign):
    """Each pattern yields at least one URL; a parameter kind nobody taught fails here."""
    urls = concrete_urls(foreign)
    assert all(concrete for _pattern, concrete in urls)
    assert len(urls) == sum(1 for _ in url_patterns())
    print(sum(len(concrete) for _pattern, concrete in urls), "URLs")


def test_the_kpi_board_of_a_vendor_manager_shows_nothing_of_the_other_vendor(world, foreign):
    """Vendor A has a contract too, so the board has something to show: only A's."""
    from contracts.models import Contract, ReviewNote

    mine = make_contract(world.vendor_a, name="한결 위탁 계약")
    client = Client(raise_request_exception=False)
    client.force_login(world.manager_a.user)
    response = client.get("/contracts/board/")
    assert response.status_code == 200 and "한결 위탁 계약" in response.content.decode()
    assert not _leaks(response, foreign, "/contracts/board/")
    # A note on the other vendor's contract is refused, and writes nothing.
    theirs = Contract.objects.get(vendor=world.vendor_b)
    month = f"{zebra_kpi_month():%Y-%m}"
    before = ReviewNote.objects.count()
    for contract in (theirs.pk, f"{theirs.pk} ", -theirs.pk):
        post = {"contract": contract, "period": month, "text": "A가 쓴 노트"}
        assert client.post("/contracts/board/", post).status_code == 404
    assert ReviewNote.objects.count() == before
    post = {"contract": mine.pk, "period": month, "text": "A의 합의"}
    assert client.post("/contracts/board/", post).status_code == 302


def test_another_vendors_records_export_cannot_be_downloaded(world, foreign):
    """Beyond the walk (which asks one URL of each admin pattern): the archive of vendor
    B's records, asked for by its own id, by each of vendor A's people."""
    from django.urls import reverse

    export = RecordsExport.objects.get(vendor=world.vendor_b)
    url = reverse("handover_download", args=[export.pk])
    for role, person in _people(world).items():
        client = Client(raise_request_exception=False)
        if person is not None:
            client.force_login(person)
        response = client.get(url)
        assert response.status_code in (302, 403, 404), role
        assert not _leaks(response, foreign, url), role
