from copium._copium import Pin as Pin
from copium._copium import clear_pins as clear_pins
from copium._copium import pin as pin
from copium._copium import pinned as pinned
from copium._copium import pins as pins
from copium._copium import repeatcall as repeatcall
from copium._copium import replicate as replicate
from copium._copium import unpin as unpin

__all__ = [
    "Pin",
    "clear_pins",
    "pin",
    "pinned",
    "pins",
    "repeatcall",
    "replicate",
    "unpin",
]
