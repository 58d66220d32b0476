from copium._copium import repeatcall as repeatcall
from copium._copium import replicate as replicate

__all__ = ["repeatcall", "replicate"]
