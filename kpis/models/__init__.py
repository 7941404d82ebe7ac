"""The KPI engine's tables: figures from the event log, and the appraisal built on them."""

from kpis.models.appraisal import (
    Appraisal,
    AppraisalPeriod,
    AppraisalStatus,
    AppraisalStep,
    Direction,
    GrowthKind,
    PeriodStatus,
    QualityReview,
    ReviewerAppointment,
    ReviewReason,
    Scorecard,
    ScorecardItem,
)
from kpis.models.figures import (
    Dimension,
    Period,
    PeriodFigure,
    PeriodSection,
    RefreshState,
    ResolutionFact,
    ResponseFact,
    TeamSnapshot,
)

__all__ = [
    "Appraisal",
    "AppraisalPeriod",
    "AppraisalStatus",
    "AppraisalStep",
    "Dimension",
    "Direction",
    "GrowthKind",
    "Period",
    "PeriodFigure",
    "PeriodSection",
    "PeriodStatus",
    "QualityReview",
    "RefreshState",
    "ResolutionFact",
    "ResponseFact",
    "ReviewReason",
    "ReviewerAppointment",
    "Scorecard",
    "ScorecardItem",
    "TeamSnapshot",
]
