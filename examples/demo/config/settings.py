import os

# NOT OK: a GitHub token committed in code (synthetic, valid checksum).
GITHUB_TOKEN = "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"

# OK: read from the environment.
STRIPE_KEY = os.environ["STRIPE_KEY"]

# OK: the documented placeholder shape, checksum fails.
EXAMPLE = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
