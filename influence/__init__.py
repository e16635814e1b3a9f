"""influence: evidence-backed, reproducible distance-from-Moscow scores.

The public API is re-exported here; everything else is private.
"""

from influence.codebook import (
    Codebook,
    Dimension,
    Indicator,
    Level,
    NotApplicable,
    NumericScale,
    OrdinalScale,
    load_codebook,
)
from influence.compare import Comparison, compare
from influence.dataset import (
    Country,
    Dataset,
    DatasetInfo,
    Evidence,
    Observation,
    Source,
    load,
    load_dataset,
)
from influence.errors import (
    DataError,
    InfluenceError,
    InvalidArgument,
    MissingExtra,
    Problem,
    Reason,
)
from influence.explain import explain
from influence.model import Model
from influence.panel import Conflict, Gap, Panel
from influence.scoring import score
from influence.sensitivity import Sensitivity, sensitivity
from influence.timeline import Diff, diff, trajectory
from influence.uncertainty import Uncertainty, uncertainty

__version__ = "0.1.0"

__all__ = [
    "Codebook",
    "Comparison",
    "Conflict",
    "Country",
    "DataError",
    "Dataset",
    "DatasetInfo",
    "Diff",
    "Dimension",
    "Evidence",
    "Gap",
    "Indicator",
    "InfluenceError",
    "InvalidArgument",
    "Level",
    "MissingExtra",
    "Model",
    "NotApplicable",
    "NumericScale",
    "Observation",
    "OrdinalScale",
    "Panel",
    "Problem",
    "Reason",
    "Sensitivity",
    "Source",
    "Uncertainty",
    "__version__",
    "compare",
    "diff",
    "explain",
    "load",
    "load_codebook",
    "load_dataset",
    "score",
    "sensitivity",
    "trajectory",
    "uncertainty",
]


def __dir__() -> list[str]:
    return list(__all__)
