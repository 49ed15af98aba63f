"""The report side: reads probe results, analyses them, renders the report."""
