"""A browser session: contexts per site identity, saved logins, evidence."""
