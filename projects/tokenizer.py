"""Token counts for the intake's estimator, offline.

A founder may paste a typical prompt and answer; we count them with OpenAI's `o200k_base`
byte-pair encoding (the GPT-4o family's, which the default price book prices). `bpe-openai`
ships the encoding's data inside the wheel, so nothing is downloaded at run time.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Any

ENCODING = "o200k_base"
# Far above any real prompt; keeps one request from tying up a worker on a pasted book.
MAX_CHARS = 200_000


@lru_cache(maxsize=1)
def _encoder() -> Any:
    # Imported lazily: loading the rank table takes ~0.1 s, paid once per process.
    with warnings.catch_warnings():
        # bpe-openai 0.1.4 reads its data with importlib.resources.open_binary (deprecated),
        # at import and on first use.
        warnings.simplefilter("ignore", DeprecationWarning)
        import bpe_openai

        encoder = bpe_openai.get_encoding(ENCODING)
        encoder.encode_ordinary("warm up")  # the rank table loads on first use
    return encoder


def count_tokens(text: str) -> int:
    """How many tokens `text` is. Special-token markers such as `<|endoftext|>` count as the
    plain text they are: a pasted prompt is data, never control tokens."""
    if not text:
        return 0
    return len(_encoder().encode_ordinary(text[:MAX_CHARS]))
