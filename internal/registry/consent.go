package registry

import (
	"errors"
	"strings"
)

// Consent is the permission to show a person publicly: who gave it (the
// person, or a relative: an identity the store keeps sealed), on which
// day, and how (in writing, by phone, in person).
type Consent struct {
	GivenBy string
	Given   Day
	How     string
}

// Empty reports whether no part of a consent was given.
func (c Consent) Empty() bool {
	return strings.TrimSpace(c.GivenBy) == "" && c.Given == 0 && strings.TrimSpace(c.How) == ""
}

// Complete reports whether who, when and how are all given.
func (c Consent) Complete() bool {
	return strings.TrimSpace(c.GivenBy) != "" && c.Given != 0 && strings.TrimSpace(c.How) != ""
}

// Errors of CheckMark, for plain messages.
var (
	ErrPublicNeedsConsent = errors.New("a person is marked public only with a consent (who gave it, when and how) or a recorded reason")
	ErrConsentIncomplete  = errors.New("a consent needs who gave it, the day and how it was given")
	ErrMarkNeedsReason    = errors.New("marking a person withheld needs a reason")
	ErrConsentOnWithheld  = errors.New("a consent is recorded with a public mark, not a withheld one")
)

// CheckMark is the rule for an editor's mark: a person cannot be marked
// public without a complete consent or a recorded reason; withholding
// needs a reason (and takes no consent). A consent given in part is
// refused rather than half recorded.
func CheckMark(mark Publicity, reason string, c Consent) error {
	if _, ok := ParsePublicity(string(mark)); !ok {
		return errors.New("the mark is withheld or public")
	}
	reasonGiven := strings.TrimSpace(reason) != ""
	if !c.Empty() && !c.Complete() {
		return ErrConsentIncomplete
	}
	if mark == MarkWithheld {
		if !c.Empty() {
			return ErrConsentOnWithheld
		}
		if !reasonGiven {
			return ErrMarkNeedsReason
		}
		return nil
	}
	if !reasonGiven && !c.Complete() {
		return ErrPublicNeedsConsent
	}
	return nil
}
