"""One module per kind of update: questions, source buttons, feedback, help, admin."""
