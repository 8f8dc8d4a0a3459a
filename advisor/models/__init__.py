"""Models of the advisor app: each firm's price books and evidence, recommendations with their
overrides, scenarios and frozen revisions, share links, re-assessment records and the audit log."""

from advisor.models.audit import AuditEvent
from advisor.models.library import EvidenceEntry, PriceBookVersion
from advisor.models.narratives import NarrativeDraft, NarrativeDraftState, SentenceStatus
from advisor.models.recommendations import (
    Override,
    OverrideKind,
    Reassessment,
    Recommendation,
    RecommendationStatus,
    Revision,
    Scenario,
    ShareLink,
)

__all__ = [
    "AuditEvent",
    "EvidenceEntry",
    "NarrativeDraft",
    "NarrativeDraftState",
    "Override",
    "OverrideKind",
    "PriceBookVersion",
    "Reassessment",
    "Recommendation",
    "RecommendationStatus",
    "Revision",
    "Scenario",
    "SentenceStatus",
    "ShareLink",
]
