"""initcompat check: which lines of your own code change behaviour between two environments
(python -m initcompat.check; the data is the report's compat-data.json)."""
