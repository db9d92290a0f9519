"""Domain rules. Each public function runs in one database transaction and is what pages, API and CLI call."""
