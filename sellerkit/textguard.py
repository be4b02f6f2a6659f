"""Text no database should be handed: NUL characters, which PostgreSQL refuses and SQLite would keep silently."""


def has_nul(value):
    """True when a text, or any text inside a JSON-like value (keys included), has a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(item) for item in value)
    return False
