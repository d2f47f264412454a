"""python manage.py decision_token create --vendor CODE --name NAME | revoke ID | list

``api_token`` for the tokens that record decisions, under the name the README gave it
before tokens served more than decisions."""

from portal.integrations.management.commands.api_token import Command as ApiTokenCommand


class Command(ApiTokenCommand):
    help = "Tokens with which a vendor's CRM records decisions (README: Decisions)."
    fixed_uses = ("decisions",)
