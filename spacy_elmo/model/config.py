"""Hyper-parameters of an ELMo biLM, independent of any file format."""
from dataclasses import asdict, dataclass
from typing import Any, Dict, Optional, Tuple

from ..errors import Errors


@dataclass(frozen=True)
class ElmoConfig:
    """Sizes and switches of a biLM (see ELMO_SPEC.md §1 for the published names).

    char_embedding_dim (E), filters [(width, count), ...] (F = sum of counts),
    n_highway, activation ("relu" | "tanh", CNN only), n_characters (262 incl. the
    padding row), max_characters_per_token (50), cell_dim (D), projection_dim (P),
    n_layers (L), cell_clip / proj_clip (None or 0 = no clip), use_skip_connections.
    """

    char_embedding_dim: int = 16
    filters: Tuple[Tuple[int, int], ...] = (
        (1, 32), (2, 32), (3, 64), (4, 128), (5, 256), (6, 512), (7, 1024),
    )
    n_highway: int = 1
    activation: str = "relu"
    n_characters: int = 262
    max_characters_per_token: int = 50
    cell_dim: int = 1024
    projection_dim: int = 128
    n_layers: int = 2
    cell_clip: Optional[float] = 3.0
    proj_clip: Optional[float] = 3.0
    use_skip_connections: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "filters", tuple((int(w), int(n)) for w, n in self.filters))
        if self.activation not in ("relu", "tanh"):
            raise ValueError(Errors.E001.format(value=self.activation))
        for name in ("char_embedding_dim", "cell_dim", "projection_dim", "n_layers"):
            if int(getattr(self, name)) < 1:
                raise ValueError(Errors.E002.format(name=name, value=getattr(self, name)))
        if not self.filters:
            raise ValueError(Errors.E002.format(name="filters", value=self.filters))
        if max(w for w, _ in self.filters) > self.max_characters_per_token:
            raise ValueError(Errors.E003.format(filters=list(self.filters), max_chars=self.max_characters_per_token))

    @property
    def n_filters(self) -> int:
        """F: the width of the char-CNN output."""
        return sum(n for _, n in self.filters)

    @property
    def output_dim(self) -> int:
        """2P: the width of every representation layer."""
        return 2 * self.projection_dim

    @property
    def n_representation_layers(self) -> int:
        """L + 1: the token layer and one per LSTM layer."""
        return self.n_layers + 1

    def to_dict(self) -> Dict[str, Any]:
        data = asdict(self)
        data["filters"] = [list(f) for f in self.filters]
        return data

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "ElmoConfig":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def flops_per_token(self) -> int:
        """Multiply-adds × 2 of one token through the biLM (char CNN, highway,
        projection, both LSTM directions); used to report hardware utilisation."""
        E, F, P, D, L = self.char_embedding_dim, self.n_filters, self.projection_dim, self.cell_dim, self.n_layers
        width = self.max_characters_per_token
        cnn = sum((width - w + 1) * w * E * n for w, n in self.filters)
        highway = self.n_highway * 2 * F * F
        lstm = 2 * L * ((P + P) * 4 * D + D * P)
        return 2 * (cnn + highway + F * P + lstm)
