"""The start page: what each role can do, and a public welcome."""
