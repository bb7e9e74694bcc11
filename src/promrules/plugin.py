"""`promrules.plugin`, the entry point of installs made before promrules.pytest_plugin.plugin.

The name is bound to the same module object, so pytest registers the plugin once
whichever of the two names loads it.
"""

import importlib
import sys

sys.modules[__name__] = importlib.import_module("promrules.pytest_plugin.plugin")
