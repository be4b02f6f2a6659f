"""Operating an instance: backups and restores, health and readiness, metrics, the scheduler's heartbeat."""
