"""copium: a fast drop-in replacement for the stdlib ``copy`` module.

``copium.deepcopy``, ``copium.copy`` and ``copium.Error`` (the very ``copy.Error``) behave
like their stdlib namesakes; on Python 3.13+ so does ``copium.replace``. ``copium.memo``
is the type of the memo a custom ``__deepcopy__`` receives from copium.

Submodules: ``copium.patch`` (make ``copy.deepcopy`` itself use copium),
``copium.config`` (engine settings), ``copium.extra`` (batch copying) and
``copium.__about__`` (version and build). ``copium.configure()`` and
``copium.get_config()`` are copium 0.1.0's spellings of ``copium.config``.
"""

import sys as _sys

# Submodules, the version and the 0.1.0 configuration functions: attributes of the
# package, though not in __all__, which mirrors the stdlib copy module's (the redundant
# aliases mark them as deliberate re-exports).
from copium import __about__ as __about__
from copium import config as config
from copium import extra as extra
from copium import patch as patch
from copium.__about__ import __version__ as __version__
from copium._compat_config import configure as configure
from copium._compat_config import get_config as get_config
from copium._copium import Error, copy, deepcopy, memo

__all__ = ["Error", "copy", "deepcopy", "memo"]

# Like the stdlib: copy.replace exists from Python 3.13 on.
if _sys.version_info >= (3, 13):
    from copium._copium import replace

    __all__ += ["replace"]
