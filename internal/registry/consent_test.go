package registry

import (
	"errors"
	"testing"
)

func TestCheckMark(t *testing.T) {
	full := Consent{GivenBy: "the mother", Given: 20220810, How: "in writing"}
	for _, tc := range []struct {
		name    string
		mark    Publicity
		reason  string
		consent Consent
		want    error
	}{
		{"public with consent", MarkPublic, "", full, nil},
		{"public with reason", MarkPublic, "named in court records", Consent{}, nil},
		{"public with neither", MarkPublic, "  ", Consent{}, ErrPublicNeedsConsent},
		{"public with half a consent", MarkPublic, "a reason", Consent{GivenBy: "the mother"}, ErrConsentIncomplete},
		{"consent without a day", MarkPublic, "", Consent{GivenBy: "x", How: "phone"}, ErrConsentIncomplete},
		{"withheld with reason", MarkWithheld, "family asked", Consent{}, nil},
		{"withheld without reason", MarkWithheld, "", Consent{}, ErrMarkNeedsReason},
		{"withheld with consent", MarkWithheld, "r", full, ErrConsentOnWithheld},
	} {
		err := CheckMark(tc.mark, tc.reason, tc.consent)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	if CheckMark("shown", "r", Consent{}) == nil {
		t.Error("an unknown mark was accepted")
	}
}
