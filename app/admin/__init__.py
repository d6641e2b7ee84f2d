"""Administration of the center: users, roles, teams, the calendar, settings and case operations."""
