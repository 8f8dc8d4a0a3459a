"""Services write: keyword-only, typed, named `<entity>_<action>`, firm first."""
