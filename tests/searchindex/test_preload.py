"""Kiwi's model is loaded when a web process starts, not by the first search."""

import importlib

from searchindex import korean


def test_the_web_process_loads_the_analyser_when_it_starts(settings):
    settings.PRELOAD_SEARCH_ANALYSIS = True  # the tests' own servers skip it
    korean._kiwi.cache_clear()
    import portal.wsgi

    importlib.reload(portal.wsgi)
    assert korean._kiwi.cache_info().currsize == 1
    korean.terms("환불은 어떻게 하나요")
    assert korean._kiwi.cache_info().misses == 1  # the first search found it loaded


def test_the_tests_own_servers_start_without_loading_it(settings):
    korean._kiwi.cache_clear()
    korean.preload()
    assert korean._kiwi.cache_info().currsize == 0
