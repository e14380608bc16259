"""Domain services of the knowledge base: validation, use cases, import/export and the `kb` CLI."""
