"""Console labels (en, zh): titles and lines the CLI prints, merged into :mod:`.labels`.

Kept apart from the report's labels so the two can grow independently; one key, one line.
"""

from __future__ import annotations

CONSOLE_LABELS: dict[str, tuple[str, str]] = {
}
