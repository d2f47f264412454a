"""python manage.py load_demo — the demo client, vendors, teams, agents and staff, with
their knowledge base, decisions, change notices, courses, scheduled changes, feedback and
contracts with a year of KPIs.

Safe to run again: what exists already is left as it is. Prints the logins.
"""

from contracts.demo import load_demo_contracts
from decisions.demo import load_demo_decisions
from feedback.demo import load_demo_feedback
from home.demo_journeys import demo_journeys
from home.site_tree import ensure_site_tree
from knowledge.demo import load_demo_knowledge
from knowledge.editorial import ensure_editorial_workflow
from notices.demo import load_demo_changes, load_demo_notices
from portal.audit.checkpoints import write_checkpoint
from portal.organisation.demo import DEMO_PASSWORD, load_demo_organisation
from portal.organisation.roles import ensure_content_permissions
from portal.organisation.scoping import ScopedCommand, system_scope
from training.demo import load_demo_training


class Command(ScopedCommand):
    help = (
        "Load the demo organisation, knowledge, notices, training and scheduled changes, "
        "and print the logins."
    )

    @system_scope("loads the demo for every vendor")
    def handle(self, *args, **options):
        ensure_site_tree()
        ensure_content_permissions()
        ensure_editorial_workflow()
        logins = load_demo_organisation()
        knowledge = load_demo_knowledge()
        self.stdout.write(
            f"Demo knowledge: {knowledge.created} created, {knowledge.updated} updated."
        )
        # Before the notices: the demo's week of decisions is sealed at its own times,
        # ahead of everything attested today.
        decisions = load_demo_decisions()
        if decisions:
            self.stdout.write(f"Demo decisions: {decisions} over the last week, some refused.")
        notices = load_demo_notices()
        if notices:
            self.stdout.write(f"Demo notices: {notices} published and delivered.")
        courses = load_demo_training()
        if courses:
            self.stdout.write(f"Demo training: {courses} courses, agents at every stage.")
        if load_demo_changes():
            self.stdout.write("Demo changes: a policy and a course change next Monday.")
        if feedback := load_demo_feedback():
            self.stdout.write(f"Demo feedback: {feedback} items, one credited change.")
        if contracts := load_demo_contracts():
            self.stdout.write(
                f"Demo contracts: {contracts} with a year of KPIs; 온누리컨택's response rate "
                "missed twice in a row."
            )
        # Sealed and anchored at once: a load outlasts beat's merge delay.
        checkpoint = write_checkpoint()
        if checkpoint:
            path, body = checkpoint
            self.stdout.write(f"Demo audit trail: {body['records']} records, checkpoint {path}.")
        self.stdout.write(
            self.style.SUCCESS("Demo data is loaded. Sign in at /accounts/login/ to try:")
        )
        journeys = demo_journeys()
        width = max(len(journey.username) for journey in journeys)
        for journey in journeys:
            self.stdout.write(
                f"  {journey.username:<{width}}  {journey.name} ({journey.who})\n"
                f"  {'':<{width}}  → {journey.to_try}"
            )
        shown = {journey.username for journey in journeys}
        others = ", ".join(
            f"{login.username} ({login.role})" for login in logins if login.username not in shown
        )
        self.stdout.write(f"Other accounts: {others}.")
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
