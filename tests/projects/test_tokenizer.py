"""The intake's token estimator counts with the real o200k_base encoding, offline: a fresh
process with every network connection refused (and no tiktoken cache to fall back on) still
counts, and gets the encoding's known counts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in its own process so nothing is loaded yet when the network goes away.
SCRIPT = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network disabled for this test")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
sys.path.insert(0, {root!r})
from projects.tokenizer import count_tokens
print(count_tokens("Hello, world!"), count_tokens("<|endoftext|>"), count_tokens(""))
"""


def test_tokens_are_counted_with_the_network_refused(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(root=str(ROOT))],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TIKTOKEN_CACHE_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    hello, marker, empty = (int(n) for n in result.stdout.split())
    # o200k_base: "Hello" "," " world" "!"; a special-token marker is counted as plain text.
    assert (hello, empty) == (4, 0)
    assert marker > 1
