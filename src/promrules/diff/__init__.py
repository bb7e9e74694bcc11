"""What changed in the alert rules between two revisions, and when they fire."""
