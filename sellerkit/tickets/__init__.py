"""Support tickets on the marketplaces, from disputes."""
