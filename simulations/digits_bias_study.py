"""Deprecated: ``simulations.digits_bias_study`` moved to ``paper/studies/digits_bias_study.py`` (run it as a script)."""

import os
import runpy
import warnings

warnings.warn("simulations.digits_bias_study moved to paper/studies/digits_bias_study.py", DeprecationWarning, stacklevel=2)
_PATH = os.path.join(os.path.dirname(__file__), os.pardir, "paper", "studies", "digits_bias_study.py")
globals().update({k: v for k, v in runpy.run_path(_PATH, run_name="__main__" if __name__ == "__main__" else "digits_bias_study").items() if not k.startswith("__")})
