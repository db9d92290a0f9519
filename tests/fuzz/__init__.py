"""Property tests (hypothesis) for the parsers that take input from outside: identity numbers, resident
spreadsheets, sync batches and bundles, and letter QR seals. The whole folder runs in well under a minute."""
