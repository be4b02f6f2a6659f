"""Live workspace: change events streamed to open pages, per-member read state, counts and personal notices."""
