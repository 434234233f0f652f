"""Population-level theory: class laws with exact risks, and the phi/psi decomposition.

:mod:`~synthaug.theory.populations` and :mod:`~synthaug.theory.decomposition`
(Ma & Zhang, *Synthetic Augmentation in Imbalanced Learning*, arXiv 2601.16120).
"""

from synthaug.theory.decomposition import decompose, expected_excess, theory_multiplier, theory_size
from synthaug.theory.populations import Population

__all__ = ["Population", "decompose", "expected_excess", "theory_multiplier", "theory_size"]
