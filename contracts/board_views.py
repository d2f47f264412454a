"""The KPI board: vendor managers see their vendor's in the portal (``/contracts/board/``),
client staff every vendor's side by side, in the portal and in the Wagtail admin
(``wagtail_hooks``; the same view with the admin's template, ``portal.listing``). Team
leads and agents see no contract: refused, as for the contracts' other pages.

Client managers and the vendor's manager write what was agreed at the monthly review on
the board itself (``reviewing``): bad input is answered on the page, with the text kept,
and writes nothing.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.listing import FilterForm, ListedChoiceField, ManagerListing
from portal.organisation.models import Vendor
from portal.organisation.scoping import Reach, viewer_scope
from portal.tabular import respond

from .board import STATUS_LABELS, Status, build_board
from .periods import Period, period_label
from .reviewing import ReviewNoteForm, add_review_note, may_write_notes


class BoardFilter(FilterForm):
    """Client staff choose a vendor among those they see; another id is not a choice."""

    vendor = ListedChoiceField(
        queryset=Vendor.objects.none(),
        required=False,
        label=gettext_lazy("Vendor"),
        empty_label=gettext_lazy("All vendors"),
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["vendor"].queryset = Vendor.objects.for_user(user).order_by("name")


class KpiBoard(ManagerListing):
    template_name = "contracts/board.html"
    page_title = gettext_lazy("KPI board")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        self.scope = viewer_scope(request.user)
        # The board is about a vendor as a whole: its manager's and the client's.
        if self.scope.reach not in (Reach.ALL, Reach.VENDOR):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, fmt=None, **kwargs):
        self.load()
        if fmt is not None:
            return respond(*board_table(self.board), "kpi-board", fmt, str(_("KPI board")))
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        if not may_write_notes(request.user):
            raise PermissionDenied
        self.load()
        contract_id = request.POST.get("contract", "")
        board = next(
            (b for b in self.board.vendors if str(b.contract.pk) == contract_id.strip()), None
        )
        if board is None:
            # A contract outside the board (another vendor's, or none) does not exist here.
            raise Http404
        form = ReviewNoteForm(request.POST, board=board)
        if form.is_valid():
            add_review_note(
                board.contract, form.cleaned_data["period"], form.cleaned_data["text"], request.user
            )
            messages.success(
                request,
                _("Review note kept with %(month)s for %(vendor)s.")
                % {
                    "month": period_label(form.cleaned_data["period"], Period.MONTH),
                    "vendor": board.vendor.name,
                },
            )
            return redirect(f"{request.get_full_path()}#vendor-{board.vendor.pk}")
        self.note_forms[board.contract.pk] = form
        return self.render_to_response(self.get_context_data(), status=400)

    def load(self):
        self.filters = None  # the listing's agent filters: the board has its vendor's own
        self.filter = BoardFilter(self.request.GET, user=self.request.user)
        if not self.filter.is_valid():
            raise Http404
        vendor = self.filter.cleaned_data.get("vendor")
        self.board = build_board(self.scope, vendor_id=vendor.pk if vendor else None)
        self.can_write = may_write_notes(self.request.user)
        self.note_forms = (
            {b.contract.pk: ReviewNoteForm(board=b) for b in self.board.vendors}
            if self.can_write
            else {}
        )

    def get_context_data(self, **context):
        for board in self.board.vendors:
            board.note_form = self.note_forms.get(board.contract.pk)
        query = urlencode({k: v for k, v in self.request.GET.items() if k == "vendor" and v})
        return super().get_context_data(
            export_links=[
                (label, f"{reverse('contracts:board_export', args=[fmt])}?{query}".rstrip("?"))
                for label, fmt in (("CSV", "csv"), ("XLSX", "xlsx"))
            ],
            board=self.board,
            board_filter=self.filter,
            show_vendor_filter=self.scope.is_client_staff,
            statuses=[(status.value, STATUS_LABELS[status]) for status in Status],
            **context,
        )


def board_table(board) -> tuple[list, list[list]]:
    """The board as a table: a row per vendor, KPI and period shown, as the page says it
    (the figure, its status, the portal's count for a computed KPI)."""
    header = [
        _("Vendor"), _("Contract"), _("KPI code"), _("KPI"), _("Target"), _("Period"),
        _("Value"), _("Status"), _("Counted"), _("Misses in a row"),
    ]  # fmt: skip
    rows = [
        [
            vendor_board.vendor.name, vendor_board.contract.name, line.kpi.code, line.kpi.name,
            f"{line.target} ({line.tolerance})" if line.tolerance else line.target,
            point.label, point.display, str(STATUS_LABELS[point.status]), point.counted,
            line.missed_in_a_row if point is line.latest else "",
        ]
        for vendor_board in board.vendors
        for line in vendor_board.lines
        for point in line.points
    ]  # fmt: skip
    return header, rows


board_page = KpiBoard.in_portal()
