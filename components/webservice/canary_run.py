"""Where the state finds a dynamic provider: not an API, do not import it.

A dynamic resource's state holds its provider pickled by reference, as
``moorage.webservice.canary_run.CanaryRunProvider``.
This path stays so every stack, old or new, can still update, read and delete those
resources, whichever private module holds the code.
"""

from .release._runner import CanaryRunProvider

__all__ = ["CanaryRunProvider"]
