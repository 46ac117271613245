package registry

// PublicMinVerification is the level below which no claim is shown publicly.
const PublicMinVerification = Corroborated

// PublicClaim reports whether a claim may appear in public output, and
// returns it stripped of what is never public (the note).
func PublicClaim(c Claim) (Claim, bool) {
	if c.Verification < PublicMinVerification || !c.RetractedAt.IsZero() {
		return Claim{}, false
	}
	c.Note = ""
	return c, true
}

// PublicRecord returns a record as it may appear in public output: the
// source is named only by its kind, never by who it is, and the source's
// own record id is not shown.
func PublicRecord(r Record, kind SourceKind) Record {
	r.SourceID = ""
	r.SourceKey = string(kind)
	r.Key = r.ID
	return r
}
