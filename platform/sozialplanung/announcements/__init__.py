"""Institute announcements and events (Neuigkeiten und Termine)."""
