"""The editorial flow: editors draft, publishers approve (a Wagtail workflow on the site)."""

from django.contrib.auth.models import Group
from wagtail.models import GroupApprovalTask, Site, Workflow, WorkflowPage, WorkflowTask

from portal.organisation.roles import Role

WORKFLOW_NAME = "검토 후 게시 (Review, then publish)"
TASK_NAME = "게시 담당자 승인 (Publisher approval)"
WAGTAIL_SEEDED_WORKFLOW = "Moderators approval"


def ensure_editorial_workflow() -> Workflow | None:
    """Attach the approval workflow to the site's home page; safe to re-run."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return None  # a flushed test database: no tree to attach to
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    # Wagtail's first migration seeds an English "Moderators approval" that no page of the
    # portal uses: left active, publishers would find it beside ours and wonder.
    Workflow.objects.filter(name=WAGTAIL_SEEDED_WORKFLOW).exclude(pk=workflow.pk).update(
        active=False
    )
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.set(
        Group.objects.filter(name__in=[Role.CLIENT_PUBLISHER.value, Role.CLIENT_MANAGER.value])
    )
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=site.root_page, defaults={"workflow": workflow})
    return workflow
