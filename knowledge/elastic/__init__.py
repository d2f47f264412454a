"""Search at scale: the agents' search on Elasticsearch, chosen by ``ELASTICSEARCH_URL``
(``knowledge.ranking.uses_elasticsearch``), behind the same ``search_knowledge``.

- ``documents``: what a page is indexed as, and the Korean (nori) and English analysis;
- ``query``: the request a search sends, who may open what as filters in it, and the
  answer read back;
- ``indexes``: the client, versioned indexes behind an alias, reindexing and keeping
  one page in step (the ``knowledge.sync_search_document`` task).
"""
