"""Data: bundled offline datasets (:mod:`~synthaug.data.datasets`) and the one home of data
preparation shared by the Python API and the CLI (:mod:`~synthaug.data.prepare`)."""

from synthaug.data.datasets import DATASETS, example_csv, list_datasets, load_dataset
from synthaug.data.prepare import MAX_LEVELS, PreparedData, PreparedTable, prepare_data, prepare_table

__all__ = ["DATASETS", "example_csv", "list_datasets", "load_dataset", "MAX_LEVELS", "PreparedData", "PreparedTable", "prepare_data",
           "prepare_table"]
