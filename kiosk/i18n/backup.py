"""Strings of backups and restores (issue 8): the admin page and the service's refusals."""

BACKUP_ID: dict[str, str] = {
}

BACKUP_EN: dict[str, str] = {
}
