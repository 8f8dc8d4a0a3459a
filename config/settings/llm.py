"""Settings of the LLM narrative drafter (DESIGN §3 LLM), read from the environment.

`base.py` reads OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL; with no key, narratives come
from templates. The call is bounded explicitly here instead of by the client's defaults (a
600 s read timeout): each attempt waits at most OPENAI_TIMEOUT_SECONDS, and the client retries
at most OPENAI_MAX_RETRIES times (429 honouring Retry-After, 5xx and timeouts with backoff).
The drafting task adds no retries of its own on top: a failed call falls back to the template.
"""

import os

OPENAI_TIMEOUT_SECONDS = float(os.environ.get("OPENAI_TIMEOUT_SECONDS", "30"))
# 0–2: more retries only stack waiting time on a consultant who is looking at the page.
OPENAI_MAX_RETRIES = max(0, min(2, int(os.environ.get("OPENAI_MAX_RETRIES", "2"))))
