"""Install, renew, recover and status: the work behind the CLI and the desktop app, and R11 'who is my
contact person'."""
