"""The Telegram bot: alerts, case handling by the PR team, roles, deadlines and settings."""
