"""One module per ``migrate`` command; ``migrate.cli`` registers them."""
