"""Getting village data to the district (journal, uploader, bundles, hub)."""
