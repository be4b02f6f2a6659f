"""Response times: each platform's rule, a clock per waiting thread, warnings and breaches."""
