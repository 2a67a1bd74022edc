"""One Router per feature; bot.setup includes them in order."""
