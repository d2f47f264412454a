"""The portal's own inverted index: what BM25 needs, the same on every database.

One ``IndexedPage`` per live page that can be searched, with the length of each field
in terms; one ``Term`` per distinct analysed term, with how many pages hold it; one
``Posting`` per (term, page) with the term's count in each field and its *impact*: the
term's BM25F weight in that page (saturated, length-normalised, field-weighted),
computed when the page is indexed and stored as an integer, so that every database adds
up exactly the same scores. ``Corpus`` keeps the totals idf and average lengths need.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models


class Corpus(models.Model):
    """The one row of totals (``pk=1``); indexing locks it, which also serialises
    writers so that term counts never deadlock."""

    pages = models.PositiveIntegerField(default=0)
    title_length = models.PositiveBigIntegerField(default=0)
    summary_length = models.PositiveBigIntegerField(default=0)
    body_length = models.PositiveBigIntegerField(default=0)
    scripts_length = models.PositiveBigIntegerField(default=0)
    #: Which analysis wrote the index (``indexing.ANALYSIS``): an index written by an
    #: older one is rebuilt when the database is migrated.
    analysis = models.PositiveSmallIntegerField(default=1)

    def __str__(self):
        return f"{self.pages} pages"


class IndexedPage(models.Model):
    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    title_length = models.PositiveIntegerField(default=0)
    summary_length = models.PositiveIntegerField(default=0)
    body_length = models.PositiveIntegerField(default=0)
    scripts_length = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"page {self.page_id}"


class Term(models.Model):
    text = models.CharField(max_length=100, unique=True)
    #: How many indexed pages hold the term (in any field).
    pages = models.PositiveIntegerField(default=0)

    def __str__(self):
        return self.text


class Posting(models.Model):
    pk = models.CompositePrimaryKey("term", "page")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey(IndexedPage, on_delete=models.CASCADE, related_name="postings")
    title_count = models.PositiveSmallIntegerField(default=0)
    summary_count = models.PositiveSmallIntegerField(default=0)
    body_count = models.PositiveSmallIntegerField(default=0)
    scripts_count = models.PositiveSmallIntegerField(default=0)
    #: The term's BM25F weight in the page, times ``IMPACT_SCALE``.
    impact = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # Top impacts of a term first: the pruning reads only the head of a list.
            models.Index(fields=["term", "-impact", "page"], name="searchindex_term_impact"),
            # A candidate's postings for the query's terms, when it is scored.
            models.Index(fields=["page", "term"], name="searchindex_page_term"),
        ]

    def __str__(self):
        return f"{self.term_id} in {self.page_id}: {self.impact}"
