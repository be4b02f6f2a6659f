"""Shop policies: shipping, payment, returns, privacy and FAQ, drafted, published as immutable versions."""
