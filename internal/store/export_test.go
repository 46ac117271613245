package store

// SetHookBeforeCommit lets tests interrupt a dedupe run after it has
// written everything and before it commits.
func SetHookBeforeCommit(f func()) { testHookBeforeCommit = f }
