"""Log filters: what the console shows of the portal's own routine."""

import logging

#: Tasks beat runs every few seconds; their every run at INFO would drown the rest.
ROUTINE_TASKS = ("audit.seal",)


class QuietRoutineTasks(logging.Filter):
    """Drops the INFO lines of a routine task's runs (sent, received, succeeded); its
    warnings and errors, and every other task's lines, still show."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO:
            return True
        message = record.getMessage()
        return not any(f"{name}[" in message or f"({name})" in message for name in ROUTINE_TASKS)
