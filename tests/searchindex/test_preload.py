"""Kiwi's model is loaded when a web process starts, not by the first search."""

import importlib

from searchindex import korean


def test_the_web_process_loads_the_analyser_when_it_starts():
    korean._kiwi.cache_clear()
    import portal.wsgi

    importlib.reload(portal.wsgi)
    assert korean._kiwi.cache_info().currsize == 1
    korean.terms("환불은 어떻게 하나요")
    assert korean._kiwi.cache_info().misses == 1  # the first search found it loaded
