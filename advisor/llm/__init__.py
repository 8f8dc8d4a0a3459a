"""Narrative drafting behind a port: `port` is the interface the rest of Forkcast talks to,
`template_drafter` and `openai_drafter` are its two implementations (only the latter imports
the `openai` client), `prompt` builds and parses the LLM exchange, `markdown` turns checked
sentences into the narrative, and `factory` picks a drafter from settings."""
