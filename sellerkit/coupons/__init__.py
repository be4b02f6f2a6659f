"""Coupons: codes, bulk generation, marketplace imports and recorded redemptions."""
