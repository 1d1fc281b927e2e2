"""What the learner chose: the settings table, the configuration, the link, widget state, own points, lessons."""
