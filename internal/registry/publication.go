package registry

// Ground is why a person is listed by name, or why not. Every person on
// the public list has exactly one: the publication rule decides it, and
// the workspace shows it.
type Ground string

// Grounds of a listed person (Public) and of a withheld one.
const (
	// An editor marked the person public with a consent (who, when, how).
	GroundConsent Ground = "consent"
	// An editor marked the person public with a recorded reason.
	GroundReason Ground = "reason"
	// A corroborating source published the names itself, as an editor
	// recorded (the source's public basis).
	GroundSourceBasis Ground = "source_basis"
	// Listed before the publication rule existed; kept so that nobody
	// silently disappears or appears, and listed for editors to review.
	GroundLegacy Ground = "legacy"

	GroundMarkedWithheld Ground = "marked_withheld"
	GroundMinor          Ground = "minor"
	GroundRelative       Ground = "relative"
	// Nobody decided: no mark, and no corroborating source has a public
	// basis. The safe default.
	GroundUndecided Ground = "undecided"
)

// Grounds lists every ground, the listed ones first.
var Grounds = []Ground{GroundConsent, GroundReason, GroundSourceBasis, GroundLegacy,
	GroundMarkedWithheld, GroundMinor, GroundRelative, GroundUndecided}

// Public reports whether a person with this ground is listed by name.
func (g Ground) Public() bool {
	switch g {
	case GroundConsent, GroundReason, GroundSourceBasis, GroundLegacy:
		return true
	}
	return false
}

// LegacyReason is the reason of the marks the publication rule's
// migration gives to persons who were listed by name before it.
const LegacyReason = "public before the publication rule"

// Publication is the publication rule, the one place that decides whether
// a person is listed by name as of q. Only a recorded decision publishes:
// an editor's public mark (with a consent, or a reason), or a public basis
// of a source with a claim of the person shown under q. Verification,
// linking and import never publish by themselves. Minors and relatives
// need a consent. Everything else is withheld.
func Publication(p PersonFacts, q Query) Ground {
	if p.Mark == MarkWithheld {
		return GroundMarkedWithheld
	}
	if reason := WithheldReason(p); reason != "" {
		if p.Mark == MarkPublic && p.MarkConsent {
			return GroundConsent
		}
		return Ground(reason)
	}
	if p.Mark == MarkPublic {
		switch {
		case p.MarkConsent:
			return GroundConsent
		case p.MarkLegacy:
			return GroundLegacy
		}
		return GroundReason
	}
	for _, r := range p.Records {
		if !r.PublicBasis {
			continue
		}
		for _, c := range r.Claims {
			if Shown(q, c) {
				return GroundSourceBasis
			}
		}
	}
	return GroundUndecided
}
