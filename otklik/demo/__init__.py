"""`otklik demo`: the whole loop on one machine, offline — a sample site serving reviews in the real
structure of supported sources, the real pipeline on SQLite, and a terminal stand-in for Telegram
that the real bot talks to over HTTP."""
