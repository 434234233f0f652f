"""Bundled offline datasets (:mod:`~synthaug.data.datasets`)."""

from synthaug.data.datasets import DATASETS, list_datasets, load_dataset

__all__ = ["DATASETS", "list_datasets", "load_dataset"]
