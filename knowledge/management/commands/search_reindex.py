"""python manage.py search_reindex [--keep N]"""

import time

from django.conf import settings
from django.core.management.base import CommandError
from elasticsearch import ApiError, TransportError

from knowledge.elastic.indexes import ReindexError, reindex
from portal.organisation.scoping import ScopedCommand, system_scope


class Command(ScopedCommand):
    help = (
        "Build a new Elasticsearch index of every live page agents search, then switch "
        "the alias ELASTICSEARCH_INDEX to it in one step (searches never see a missing "
        "or half-built index) and delete older versions but the --keep newest."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="older versioned indexes to keep (e.g. to switch back by hand); default 0",
        )

    @system_scope("indexes every vendor's pages; readers are filtered when searching")
    def handle(self, *args, **options):
        if not settings.ELASTICSEARCH_URL:
            raise CommandError("ELASTICSEARCH_URL is not set: there is no Elasticsearch to index.")
        if options["keep"] < 0:
            raise CommandError("--keep must be 0 or more.")
        started = time.perf_counter()
        try:
            name = reindex(
                keep=options["keep"], progress=lambda message: self.stdout.write(f"  {message}")
            )
        except ReindexError as error:
            raise CommandError(str(error)) from error
        except (TransportError, ApiError) as error:
            raise CommandError(f"Elasticsearch at {settings.ELASTICSEARCH_URL}: {error}") from error
        self.stdout.write(f"{name} serves searches; built in {time.perf_counter() - started:.1f} s")
