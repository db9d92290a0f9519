"""Everything that ends on paper: ticket layouts, printer transports. Knows nothing of kiosk or sync."""
