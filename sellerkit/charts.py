"""The value axis of the server-drawn SVG charts: round tick values, their heights, and the room their labels take."""
import math
from typing import NamedTuple

#: Width kept left of the plot for the tick labels ("12 h", "۱۰۰٪", "১,০০০").
LABEL_WIDTH = 64
#: Room above the highest tick, so that its label is not cut off.
TOP_ROOM = 10
#: Tick steps for response times, in seconds: a minute up to a week.
DURATION_STEPS = (60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800)
#: At most this many steps between zero and the top tick.
MAX_STEPS = 4


class Axis(NamedTuple):
    top: float  # the value at the top tick; a bar of this value is as high as the plot
    ticks: list  # (y, value), from zero up


def count_steps():
    """1, 2, 5, 10, 20, 50, ... : the round steps of counts."""
    scale = 1
    while True:
        for digit in (1, 2, 5):
            yield digit * scale
        scale *= 10


def value_axis(peak, steps, height):
    """Ticks from zero up to the first multiple of a step that reaches `peak`, at most MAX_STEPS of them; `steps`
    is an ascending sequence (or iterator) of candidate steps. `height` is the plot's, its bottom at y = height."""
    for step in steps:
        if peak <= step * MAX_STEPS:
            break
    count = max(1, math.ceil(peak / step))
    top = step * count
    usable = height - TOP_ROOM
    return Axis(top, [(round(height - usable * index / count, 1), step * index) for index in range(count + 1)])


def share_axis(height):
    """Ticks for a share from 0 to 100% in quarters."""
    usable = height - TOP_ROOM
    return Axis(1, [(round(height - usable * share, 1), share) for share in (0, 0.25, 0.5, 0.75, 1)])
