"""Product articles, the company vision and pre-delegated answer policies."""
