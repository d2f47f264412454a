"""Text analysis for search: Korean morphology and English stemming, one token stream.

Korean attaches particles and endings to words (환불 / 환불은 / 환불해 드립니다) and is
spaced inconsistently (배송지연 / 배송 지연). Both the indexed text and the query go
through ``analyse``: Kiwi splits them into morphemes and we keep the content-bearing
ones (nouns, verb and adjective stems, roots, foreign words, numbers), so the words
match whatever the ending and the spacing. English words are lower-cased and stemmed
(refunds → refund). The search backend then only has to match plain tokens, which the
database backends do on SQLite and PostgreSQL alike.

Morphemes miss where the analyser splits a name or a new word differently in the
question and in the page (뉘르부르크링 / 뉘루부르크링, an unknown surname followed by a
particle), so each Hangul word also gives its two-syllable pieces, its *grams*
(``grams``: 헤이그가 → 헤이, 이그, 그가). They weigh less than a word, and only re-rank
pages that match on words (``searchindex.ranking``).
"""

import re
import threading
from functools import lru_cache

import snowballstemmer
from django.conf import settings

# Kiwi part-of-speech tags worth indexing: general and proper nouns, numbers, roots,
# verb and adjective stems, Latin-script words, Chinese characters, digits.
CONTENT_TAGS = {"NNG", "NNP", "NR", "XR", "VV", "VA", "VV-R", "VA-R", "VV-I", "VA-I", "SH", "SN"}
LATIN_TAG = "SL"
# Single-syllable stems like 하(다), 되(다), 있(다) match everything; they carry no topic.
_STOP_STEMS = {"하", "되", "있", "없", "않", "이", "같", "보", "주", "드리", "그렇", "이렇", "어떻"}
_ENGLISH_STOP_WORDS = {
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "from", "by", "with",
    "is", "are", "be", "was", "were", "it", "this", "that", "i", "you", "we", "my", "your",
    "our", "how", "what", "when", "where", "can", "do", "does",
}  # fmt: skip
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_HANGUL_WORD = re.compile(r"[가-힣]+")
#: Longer texts are pages, not questions: their analysis is not kept.
QUESTION_CHARS = 500
#: Marks a gram, so that it never stands for the word with the same two syllables.
GRAM_MARK = "#"
_lock = threading.Lock()
_english = snowballstemmer.stemmer("english")


@lru_cache(maxsize=1)
def _kiwi():
    from kiwipiepy import Kiwi  # lazy: 0.1 s to import, paid only by processes that analyse text

    with _lock:
        return Kiwi()


def preload() -> None:
    """Load Kiwi's model now (about 2 s) rather than on the first search: web and worker
    processes call this when they start (unless ``PRELOAD_SEARCH_ANALYSIS`` is off)."""
    if settings.PRELOAD_SEARCH_ANALYSIS:
        _terms("환불")


def analyse(text: str) -> str:
    """``text`` as a space-separated string of search terms."""
    return " ".join(terms(text))


def terms(text: str) -> list[str]:
    if not text or not text.strip():
        return []
    # A search analyses its question more than once (words to mark, terms to rank);
    # a page's text is analysed once, and would only fill the cache.
    return list(_question_terms(text) if len(text) <= QUESTION_CHARS else _terms(text))


def _terms(text: str) -> tuple[str, ...]:
    kiwi = _kiwi()
    # Kiwi's model is shared; tokenising from several threads at once is not promised safe.
    with _lock:
        tokens = kiwi.tokenize(text)
    result = []
    for token in tokens:
        tag = token.tag
        if tag == LATIN_TAG:
            words = [
                w for w in _LATIN_WORD.findall(token.form.lower()) if w not in _ENGLISH_STOP_WORDS
            ]
            result.extend(_english.stemWords(words))
        elif tag in CONTENT_TAGS:
            form = token.form
            if tag.startswith(("VV", "VA")) and form in _STOP_STEMS:
                continue
            # Kiwi keeps a multi-word name whole ("알렉산더 헤이그"): index its words.
            result.extend(form.lower().split())
    return tuple(result)


_question_terms = lru_cache(maxsize=256)(_terms)


def grams(text: str) -> list[str]:
    """The two-syllable pieces of each Hangul word of ``text``, marked with ``GRAM_MARK``
    (a one-syllable word gives none)."""
    return [
        f"{GRAM_MARK}{word[i : i + 2]}"
        for word in _HANGUL_WORD.findall(text or "")
        for i in range(len(word) - 1)
    ]


def is_gram(term: str) -> bool:
    return term.startswith(GRAM_MARK)
