"""Local Sphinx extension of the synthaug docs (loaded by ``docs/conf.py``).

* ``.. generator-table::`` -- the registered generators, read from
  :data:`synthaug.generators.registry.GENERATOR_FACTORIES` at build time (so the guide cannot
  drift from the registry);
* :func:`own_names` -- for the autosummary module template, which documents an object only in
  the module that defines it (a package's ``__all__`` also lists its re-exports);
* a Python cross-reference to a name that synthaug re-exports (``synthaug.diagnose``,
  ``synthaug.diagnosis.Diagnosis``, ``synthaug.generators.smote``, or ``estimate_bias``
  written inside :mod:`synthaug.bias_correction`) links to the page of the object in its home
  module: the docstrings may name an object by any of its public paths;
* scikit-learn's generated ``set_*_request`` methods (metadata routing) are left out of the
  class pages: their docstrings point into scikit-learn's own documentation.
"""

from __future__ import annotations

import glob
import importlib
import inspect
import os
import re

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList
from sphinx.util.nodes import make_refnode


_MODULE_ENTRY = re.compile(r"^   (synthaug(?:\.\w+)*)\s*$", re.MULTILINE)


def own_names(api_dir: str) -> dict[str, dict[str, list[str]]]:
    """Module -> ``{"classes", "functions", "exceptions"}`` -> the public names it defines.

    For every module listed in ``api_dir/*.rst``: the names of its ``__all__`` (or, without
    one, its public names) that it defines itself, plus the names a listed package re-exports
    from it (e.g. a warning class kept out of its module's ``__all__``). A plain dict, so Sphinx
    caches it with the configuration; the module template documents exactly these names, so
    every object has one page, in its home module.
    """
    modules = []
    for path in sorted(glob.glob(os.path.join(api_dir, "*.rst"))):
        with open(path, encoding="utf-8") as f:
            modules += _MODULE_ENTRY.findall(f.read())
    names: dict[str, list[str]] = {m: [] for m in modules}
    for modname in modules:
        module = importlib.import_module(modname)
        public = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
        for n in public:
            obj = getattr(module, n, None)
            home = getattr(obj, "__module__", None)
            if home in names and getattr(obj, "__name__", None) == n and n not in names[home]:
                names[home].append(n)
    found: dict[str, dict[str, list[str]]] = {}
    for modname, members in names.items():
        module = importlib.import_module(modname)
        kinds: dict[str, list[str]] = {"classes": [], "functions": [], "exceptions": []}
        for n in members:
            obj = getattr(module, n)
            if inspect.isclass(obj):
                kinds["exceptions" if issubclass(obj, BaseException) else "classes"].append(n)
            elif callable(obj):
                kinds["functions"].append(n)
        found[modname] = kinds
    return found


_SKLEARN_REQUEST = re.compile(r"^set_\w+_request$")


def _skip_member(app, what, name, obj, skip, options):
    if what == "class" and _SKLEARN_REQUEST.match(name):
        return True
    return None


class GeneratorTable(Directive):
    """``.. generator-table::``: the registered generators, read from the registry at build time.

    One row per name of :data:`synthaug.generators.registry.GENERATOR_FACTORIES`: the factory, its
    parameters (required ones in bold), whether the generator needs the majority rows, the
    smallest minority sample it accepts with default parameters, whether it runs under
    ``jit``/``vmap``, and the imbalanced-learn sampler over it.
    """

    has_content = False

    def run(self):
        from synthaug.estimators import all_estimators
        from synthaug.generators.registry import GENERATOR_FACTORIES, make_generator, resolve_factory

        samplers: dict[str, list[str]] = {}
        for cls_name, cls in all_estimators("sampler"):
            gen_name = getattr(cls, "_generator_name", None)
            if gen_name:
                samplers.setdefault(gen_name, []).append(cls_name)
        samplers.setdefault("borderline-smote-2", []).append("BorderlineSMOTESampler")  # kind=2

        lines = [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 14 22 30 8 8 8 10",
            "",
            "   * - name",
            "     - factory",
            "     - parameters (required in bold)",
            "     - needs majority",
            "     - min. minority rows",
            "     - jit / vmap",
            "     - sampler",
        ]
        for name in GENERATOR_FACTORIES:
            factory = resolve_factory(name)
            sig = inspect.signature(factory)
            params, required = [], {}
            for p in sig.parameters.values():
                if p.name == "name":
                    continue
                if p.default is inspect.Parameter.empty:
                    params.append(f"**{p.name}**")
                    required[p.name] = [0]  # a placeholder that every required parameter accepts
                else:
                    params.append(f"``{p.name}={p.default!r}``")
            gen = make_generator(name, **required)  # builds the Generator object only: no draws
            path = f"{factory.__module__}.{factory.__qualname__}"
            lines += [
                f"   * - ``{name}``",
                f"     - :func:`~{path}`",
                f"     - {', '.join(params) or '(none)'}",
                f"     - {'yes' if gen.uses_majority else 'no'}",
                f"     - {gen.min_rows}",
                f"     - {'yes' if gen.traceable else 'no (host)'}",
                "     - " + (", ".join(f":class:`~synthaug.estimators.{s}`" for s in samplers.get(name, [])) or "--"),
            ]
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source="generator-table"), self.content_offset, container)
        return container.children


def _import_path(path: str):
    """The object at the dotted ``path`` (a module, or attributes below one), or None."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _resolve_reexport(app, env, node, contnode):
    """``missing-reference``: link a synthaug name to the page of its home-module object."""
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"]
    modname, clsname = node.get("py:module"), node.get("py:class")
    candidates = []
    if modname and clsname:
        candidates.append(f"{modname}.{clsname}.{target}")
    if modname:
        parts = modname.split(".")
        candidates += [".".join(parts[:i] + [target]) for i in range(len(parts), 0, -1)]
    candidates.append(target)
    objects = env.get_domain("py").objects
    for path in candidates:
        if not path.startswith("synthaug.") or path.startswith("synthaug._legacy"):
            continue
        obj = _import_path(path)
        if obj is None:
            continue
        homes = []
        if inspect.ismodule(obj):
            homes.append(obj.__name__)
        else:
            module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
            if isinstance(module, str) and isinstance(qualname, str):
                homes.append(f"{module}.{qualname}")
            last = "." + path.rsplit(".", 1)[-1]  # data (no __module__): the same object, documented
            homes += [name for name in objects if name.endswith(last) and _import_path(name) is obj]
        for home in homes:
            if home in objects and home != path:
                entry = objects[home]
                return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, home)
    return None


def setup(app):
    app.add_directive("generator-table", GeneratorTable)
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("missing-reference", _resolve_reexport)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
