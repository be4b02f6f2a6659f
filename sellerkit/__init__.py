"""sellerkit: one inbox and toolkit for marketplace sellers who answer their buyers themselves."""
from sellerkit.app import create_app

__all__ = ["create_app"]
