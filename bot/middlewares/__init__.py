"""Per-update plumbing: a unit of work, the member, their language, and the gate for strangers."""
