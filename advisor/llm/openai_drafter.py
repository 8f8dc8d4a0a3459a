"""The OpenAI drafter: the only module that imports the `openai` client.

One request per draft (chat completions with a strict JSON schema, which OpenAI-compatible
servers also speak). The client's own retries are the only retries of the call: it honours
Retry-After on 429 and backs off on 5xx and timeouts, `max_retries` times, each attempt bounded
by `timeout`. A Retry-After longer than `timeout` is not waited out (the client alone would
sleep up to two minutes per retry, past the bound the drafting job's claim relies on): the call
fails as rate limited at once. Every way the call can fail becomes a `DraftFailed` with a reason
code, so the drafting job can fall back to the template and say why.
"""

from __future__ import annotations

import email.utils
import logging
import math
import time
from collections.abc import Mapping
from typing import Any

import openai

from advisor.llm.port import DraftFailed, DraftRequest, DraftResult
from advisor.llm.prompt import RESPONSE_FORMAT, build_messages, parse_draft

log = logging.getLogger(__name__)
# Four short sections of sentences with their citations fit comfortably; a longer answer
# would be cut off and then fail to parse anyway.
MAX_OUTPUT_TOKENS = 2000


class OpenAIDrafter:
    name = "openai"

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        max_output_tokens: int = MAX_OUTPUT_TOKENS,
    ) -> None:
        self.api_key = api_key
        self.model = model
        self.base_url = base_url
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_output_tokens = max_output_tokens

    @property
    def identity(self) -> str:
        return f"openai:{self.model}"

    def _client(self, refused_waits: list[float]) -> openai.OpenAI:
        def no_long_waits(response: Any) -> None:
            # The client honours Retry-After up to two minutes per retry; a wait longer than
            # one attempt may last is refused instead (x-should-retry is the client's own
            # switch), so the whole call stays within (1 + max_retries) x timeout + backoff.
            wait = retry_after_seconds(response.headers)
            if wait is not None and wait > self.timeout:
                refused_waits.append(wait)
                response.headers["x-should-retry"] = "false"

        return openai.OpenAI(
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
            http_client=openai.DefaultHttpx2Client(event_hooks={"response": [no_long_waits]}),
        )

    def draft(self, request: DraftRequest) -> DraftResult:
        attempts = 1 + self.max_retries
        refused_waits: list[float] = []
        client = self._client(refused_waits)
        try:
            completion = client.chat.completions.create(
                model=self.model,
                messages=build_messages(request),  # type: ignore[arg-type]
                response_format=RESPONSE_FORMAT,  # type: ignore[arg-type]
                temperature=0.2,
                max_completion_tokens=self.max_output_tokens,
            )
        except openai.APITimeoutError:
            raise DraftFailed("timeout", f"{self.timeout:g} s × {attempts} attempts") from None
        except openai.APIConnectionError:
            raise DraftFailed("unreachable", f"{attempts} attempts") from None
        except openai.RateLimitError:
            if refused_waits:
                asked = f"HTTP 429, asked to wait {refused_waits[-1]:g} s"
                raise DraftFailed("rate_limited", asked) from None
            raise DraftFailed("rate_limited", f"HTTP 429 × {attempts}") from None
        except openai.AuthenticationError:
            raise DraftFailed("auth", "HTTP 401") from None
        except openai.APIStatusError as exc:
            if exc.status_code >= 500:
                raise DraftFailed("server_error", f"HTTP {exc.status_code} × {attempts}") from None
            raise DraftFailed("rejected", f"HTTP {exc.status_code}") from None
        except openai.OpenAIError as exc:
            log.warning("LLM draft failed: %s", exc)
            raise DraftFailed("error", type(exc).__name__) from None
        finally:
            client.close()
        return self._result(completion)

    def _result(self, completion: Any) -> DraftResult:
        choices = getattr(completion, "choices", None) or []
        if not choices:
            raise DraftFailed("malformed", "no choices")
        choice = choices[0]
        message = choice.message
        if getattr(message, "refusal", None):
            raise DraftFailed("refused", str(message.refusal)[:120])
        if choice.finish_reason == "content_filter":
            raise DraftFailed("refused", "content filter")
        if choice.finish_reason == "length":
            raise DraftFailed("malformed", "cut off at the output limit")
        sentences = parse_draft(message.content)
        usage = getattr(completion, "usage", None)
        return DraftResult(
            source="llm",
            model=getattr(completion, "model", None) or self.model,
            sentences=sentences,
            usage={
                "prompt_tokens": getattr(usage, "prompt_tokens", 0) or 0,
                "completion_tokens": getattr(usage, "completion_tokens", 0) or 0,
            }
            if usage
            else {},
        )


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """How long a response asks the client to wait, read as the client reads it:
    `retry-after-ms`, else `retry-after` in seconds or as an HTTP date."""
    for name, divisor in (("retry-after-ms", 1000), ("retry-after", 1)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            continue
        return seconds if math.isfinite(seconds) else math.inf
    try:
        when = email.utils.parsedate_tz(headers.get("retry-after") or "")
        return None if when is None else email.utils.mktime_tz(when) - time.time()
    except (TypeError, ValueError, OverflowError):
        return None
