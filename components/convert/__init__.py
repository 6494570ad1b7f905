"""``moorage convert``: existing Kubernetes manifests become Moorage services, with a
fidelity report (docs/convert.md).

The modules, one job each: ``_input`` reads and checks the YAML, ``_mapping`` (with
``_containers``) maps objects to services, ``_references`` finds references between
them, ``_emit`` writes the stack file or the Python program, ``_rendering`` renders the
result in process, ``_diff``/``_causes``/``_fidelity`` compare it with the input,
``_exact`` removes what can be removed, ``_report`` prints it and ``_cli`` is the command.
"""

from ._convert import Conversion, ConvertOptions, convert_files, convert_texts
from ._input import ConvertError

__all__ = ["Conversion", "ConvertError", "ConvertOptions", "convert_files", "convert_texts"]
