"""Handing work to Celery from a request or a publish, without making either depend on
the broker being up."""

import logging

logger = logging.getLogger(__name__)


def queue(task, *args, catches_up: str) -> bool:
    """Queue ``task(*args)`` now. A broker that cannot be reached fails nothing: the work
    waits for ``catches_up`` (the relay, a daily sweep), and the log says so."""
    try:
        task.apply_async(args, retry=False)
    except Exception:
        logger.warning("broker unreachable; %s%s waits for %s", task.name, args, catches_up)
        return False
    return True
