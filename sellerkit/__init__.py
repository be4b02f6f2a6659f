"""sellerkit: one inbox and toolkit for marketplace sellers who answer their buyers themselves."""
from sellerkit.app import create_app, create_web_app

__all__ = ["create_app", "create_web_app"]
