"""The page and its panels: what the learner sees and clicks."""
