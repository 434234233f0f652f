"""Will augmentation help on this data? The diagnosis of Ma & Zhang (arXiv 2601.16120).

:mod:`~synthaug.diagnosis.symmetry` (balanced pilot, local-symmetry Wald test),
:mod:`~synthaug.diagnosis.alignment` (cross-fitted mismatch, alignment, GQS),
:mod:`~synthaug.diagnosis.vtss` (VTSS / TG-VTSS candidate grids and CV losses) and
:mod:`~synthaug.diagnosis.api` (:func:`diagnose`, :func:`select_size`, the reports).
"""

from synthaug.diagnosis.api import Diagnosis, PreparedData, SizeSelection, diagnose, prepare_data, select_size

__all__ = ["Diagnosis", "SizeSelection", "diagnose", "select_size", "prepare_data", "PreparedData"]
