"""The decision form on a policy page, for an agent who may decide under it: said through
``portal.banners``, so the knowledge app's template does not know of decisions."""

from dataclasses import dataclass

from knowledge.models import AnswerPolicyPage
from notices.access import own_profile
from portal.banners import register_banner_source

from .forms import DecisionForm
from .recording import may_decide_under


@dataclass
class DecisionBox:
    policy: AnswerPolicyPage
    form: DecisionForm


@register_banner_source("decisions/_record_form.html")
def decision_form(page, user) -> list[DecisionBox]:
    if not isinstance(page, AnswerPolicyPage):
        return []
    if not may_decide_under(page, own_profile(user)):
        return []
    return [DecisionBox(policy=page, form=DecisionForm(policy=page))]
