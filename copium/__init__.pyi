import sys

from copium import __about__ as __about__
from copium import config as config
from copium import extra as extra
from copium import patch as patch
from copium.__about__ import __version__ as __version__
from copium._compat_config import configure as configure
from copium._compat_config import get_config as get_config
from copium._copium import Error as Error
from copium._copium import copy as copy
from copium._copium import deepcopy as deepcopy
from copium._copium import memo as memo

if sys.version_info >= (3, 13):
    from copium._copium import replace as replace

    __all__ = ["Error", "copy", "deepcopy", "memo", "replace"]
else:
    __all__ = ["Error", "copy", "deepcopy", "memo"]
