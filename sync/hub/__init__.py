"""The district hub: receives every village's batches, keeps its records, serves the dashboard."""
