"""isohybrid model: workers, associations and the rules of pooling (no I/O, no plotting)."""
