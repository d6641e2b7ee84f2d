"""The user's own desk beyond tasks: notifications, absences and backups (AB岗), reassigning (转办)."""
