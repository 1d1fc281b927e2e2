"""What the learner chose, as plain values: the settings table, the configuration, its link
form, the learner's own points. No Streamlit here: the pages turn these into widgets."""
