"""Follow-up campaigns to past customers who consented, with coupons."""
