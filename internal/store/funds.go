package store

import (
	"errors"
	"strings"
)

// The money side's tables (migrations 0008 and 0010), one file per
// aggregate: campaigns (funds_campaigns.go), gifts and pledges
// (funds_gifts.go), processor events (funds_events.go), receipts
// (funds_receipts.go), disbursements (funds_disbursements.go) and the
// ledger (funds_ledger.go). The rules are internal/funds': what an event
// implies for the ledger (funds.Settle), the two-treasurer rule
// (funds.SecondPerson); these files load and save.

// Errors of the money side.
var (
	// ErrFundsDuplicate is a bank transfer or crypto transaction entered
	// twice.
	ErrFundsDuplicate = errors.New("this transfer was entered already")
	// ErrCampaignExists is a new campaign with a short name in use.
	ErrCampaignExists = errors.New("a campaign of this short name exists already")
	// ErrCurrencyMismatch is a bank transfer in another currency than its
	// pledge: the amount credited in the pledge's currency is entered.
	ErrCurrencyMismatch = errors.New("the transfer is in another currency than its pledge")
	// ErrNoPayee is a disbursement that names nobody to pay.
	ErrNoPayee = errors.New("say who is paid (kept sealed, never shown publicly)")
)

// Places sealed donor and payee data are bound to.
func giftPlace(column, giftID string) string { return "fund_gifts." + column + ":" + giftID }
func disbursementPlace(column, id string) string {
	return "fund_disbursements." + column + ":" + id
}

func (s *Store) sealOptional(where, value string) (string, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return "", nil
	}
	if s.keys == nil {
		return "", errors.New("the data key is not open: personal data cannot be stored")
	}
	return s.keys.SealString(where, value)
}
