"""Roster import: a vendor's agents from a CSV or XLSX file, all or nothing.

``import_roster`` is the one operation the admin upload, the ``import_roster`` command,
the demo loader and the tests all call.
"""

from .importer import RosterReport, RowError, import_roster

__all__ = ["RosterReport", "RowError", "import_roster"]
