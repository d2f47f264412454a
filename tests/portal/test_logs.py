"""The console does not repeat the sealer's runs every two seconds."""

import logging

from portal.logs import QuietRoutineTasks


def record(level, message, *args, name="celery.app.trace"):
    return logging.LogRecord(name, level, __file__, 1, message, args, None)


def test_a_routine_tasks_info_lines_are_dropped_and_its_errors_kept():
    quiet = QuietRoutineTasks()
    assert not quiet.filter(record(logging.INFO, "Task %s[%s] received", "audit.seal", "1"))
    assert not quiet.filter(
        record(logging.INFO, "Scheduler: Sending due task seal-audit-records (audit.seal)")
    )
    assert quiet.filter(record(logging.ERROR, "Task %s[%s] raised", "audit.seal", "1"))
    assert quiet.filter(record(logging.INFO, "Task %s[%s] received", "audit.checkpoint", "2"))
    assert quiet.filter(record(logging.INFO, "Task %s[%s] received", "notices.dispatch", "3"))
