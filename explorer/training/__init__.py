"""The learner's run and its history, beside each other."""
