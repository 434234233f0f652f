"""Will augmentation help on this data? The diagnosis of Ma & Zhang (arXiv 2601.16120).

One concept per module:

* :mod:`~synthaug.diagnosis.symmetry`: balanced pilot fit and the local-symmetry Wald test;
* :mod:`~synthaug.diagnosis.alignment`: cross-fitted mismatch, alignment, theory size, GQS;
* :mod:`~synthaug.diagnosis.vtss`: VTSS / TG-VTSS candidate grids and cross-validated losses;
* :mod:`~synthaug.diagnosis.stages`: the jitted programs that chain them (one compilation
  per shape bucket);
* :mod:`~synthaug.diagnosis.result`: :class:`Diagnosis` and :class:`SizeSelection`
  (numbers, text report, JSON);
* :mod:`~synthaug.diagnosis.plot`: their figures, apart from the results;
* :mod:`~synthaug.diagnosis.html`: a diagnosis as one self-contained HTML report;
* :mod:`~synthaug.diagnosis.compare`: several generators on one pilot and one set of folds, ranked;
* :mod:`~synthaug.diagnosis.api`: the entry points :func:`diagnose` and :func:`select_size`.

The data checks shared with the CLI and the bias-correction cross-validation are
:func:`synthaug.data.prepare_data` (re-exported here).
"""

from synthaug.data.prepare import PreparedData, prepare_data
from synthaug.diagnosis.api import diagnose, select_size
from synthaug.diagnosis.compare import GeneratorComparison, compare_generators
from synthaug.diagnosis.result import Diagnosis, SizeSelection

__all__ = ["Diagnosis", "SizeSelection", "diagnose", "select_size", "compare_generators", "GeneratorComparison",
           "prepare_data", "PreparedData"]
