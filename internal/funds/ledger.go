package funds

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The ledger is double-entry: every transaction is a set of entries, each
// on one account in one currency, debits positive and credits negative,
// and the entries of a transaction sum to zero in every currency. Nothing
// is ever edited: a refund is a new transaction reversing the gift. Every
// balance is the sum of entries, never a stored figure.

// The accounts. Assets are where money is (each processor's balance,
// AccountProcessor; the bank; a crypto wallet); income is what campaigns
// raised (credit, so negative); spending and each processor's fees
// (AccountFees) are where it went (debit, positive).

// AccountBank is the bank account.
const AccountBank = "assets:bank"

// AccountCrypto is the wallet of a crypto asset ("assets:crypto:BTC").
func AccountCrypto(asset string) string { return "assets:crypto:" + asset }

// AccountIncome is a campaign's income ("income:legal-aid").
func AccountIncome(campaign string) string { return "income:" + campaign }

// AccountSpending is a campaign's spending in a category
// ("spending:lawyers:legal-aid").
func AccountSpending(category Category, campaign string) string {
	return "spending:" + string(category) + ":" + campaign
}

// Category is what a disbursement paid for.
type Category string

// The spending categories, in the order pages show them.
const (
	Lawyers       Category = "lawyers"
	Parcels       Category = "parcels"
	Travel        Category = "travel"
	FamilySupport Category = "family_support"
	Operations    Category = "operations"
)

// Categories lists the spending categories.
var Categories = []Category{Lawyers, Parcels, Travel, FamilySupport, Operations}

// ErrCategory is a spending category we do not have.
var ErrCategory = errors.New("unknown category")

// ParseCategory reads a category name.
func ParseCategory(s string) (Category, error) {
	c := Category(strings.TrimSpace(s))
	if slices.Contains(Categories, c) {
		return c, nil
	}
	return "", fmt.Errorf("%w %q: one of lawyers, parcels, travel, family_support, operations", ErrCategory, s)
}

// Transaction kinds.
const (
	KindDonation     = "donation"     // money in: card, bank or crypto
	KindFee          = "fee"          // the processor's fee on a card gift
	KindReversal     = "reversal"     // a refund or dispute undoing (part of) a gift
	KindDisbursement = "disbursement" // money out, by category
)

// Entry is one line of a transaction: debit positive, credit negative.
type Entry struct {
	Account  string
	Currency string
	Amount   int64
}

// Transaction is a set of entries that balance.
type Transaction struct {
	Kind     string
	Campaign string // the campaign's slug, when it concerns one
	Entries  []Entry
}

// ErrUnbalanced is a transaction whose entries do not sum to zero.
var ErrUnbalanced = errors.New("the entries do not sum to zero")

// Check refuses a transaction that is empty, has an entry of zero, an
// unknown currency or no account, or whose entries do not sum to zero in
// every currency.
func (t Transaction) Check() error {
	if len(t.Entries) < 2 {
		return errors.New("a transaction needs at least two entries")
	}
	sums := map[string]int64{}
	for _, e := range t.Entries {
		if e.Account == "" {
			return errors.New("an entry has no account")
		}
		if _, ok := exponents[e.Currency]; !ok {
			return fmt.Errorf("entry on %s: unknown currency %q", e.Account, e.Currency)
		}
		if e.Amount == 0 {
			return fmt.Errorf("entry on %s: an amount of zero", e.Account)
		}
		sums[e.Currency] += e.Amount
	}
	for cur, sum := range sums {
		if sum != 0 {
			return fmt.Errorf("%w in %s (off by %s)", ErrUnbalanced, cur, FormatAmount(sum, cur))
		}
	}
	return nil
}

// move is a transaction taking amount from one account to another.
func move(kind, campaign, debit, credit, currency string, amount int64) Transaction {
	return Transaction{Kind: kind, Campaign: campaign, Entries: []Entry{
		{Account: debit, Currency: currency, Amount: amount},
		{Account: credit, Currency: currency, Amount: -amount},
	}}
}

// Donation books a gift received into an asset account for a campaign.
func Donation(campaign, asset, currency string, amount int64) Transaction {
	return move(KindDonation, campaign, asset, AccountIncome(campaign), currency, amount)
}

// Fee books a processor's fee, taken from its balance.
func Fee(processor, campaign, currency string, amount int64) Transaction {
	return move(KindFee, campaign, AccountFees(processor), AccountProcessor(processor), currency, amount)
}

// Reversal undoes (part of) a gift: a refund or a dispute.
func Reversal(campaign, asset, currency string, amount int64) Transaction {
	return move(KindReversal, campaign, AccountIncome(campaign), asset, currency, amount)
}

// Disbursement books money paid out of an asset account for a category.
func Disbursement(campaign string, category Category, asset, currency string, amount int64) Transaction {
	return move(KindDisbursement, campaign, AccountSpending(category, campaign), asset, currency, amount)
}

// BalanceKey names a balance: an account in a currency.
type BalanceKey struct {
	Account  string
	Currency string
}

// Balances sums entries per account and currency.
func Balances(entries []Entry) map[BalanceKey]int64 {
	b := map[BalanceKey]int64{}
	for _, e := range entries {
		b[BalanceKey{e.Account, e.Currency}] += e.Amount
	}
	return b
}

// Balance is one line of a ledger report.
type Balance struct {
	Account  string `json:"account"`
	Campaign string `json:"campaign,omitempty"`
	Category string `json:"category,omitempty"`
	Currency string `json:"currency"`
	Minor    int64  `json:"minor"`
	Amount   string `json:"amount"`
}

// Describe splits an account name into its campaign and category (for
// reports): income:C has campaign C, spending:K:C category K and campaign
// C, fees:PROCESSOR category "fees".
func Describe(account string) (campaign, category string) {
	parts := strings.Split(account, ":")
	switch {
	case parts[0] == "income" && len(parts) == 2:
		return parts[1], "income"
	case parts[0] == "spending" && len(parts) == 3:
		return parts[2], parts[1]
	case parts[0] == "fees":
		return "", "fees"
	}
	return "", ""
}

// Report turns balances into sorted lines, leaving out those at zero.
func Report(b map[BalanceKey]int64) []Balance {
	out := []Balance{}
	for k, v := range b {
		if v == 0 {
			continue
		}
		c, cat := Describe(k.Account)
		out = append(out, Balance{Account: k.Account, Campaign: c, Category: cat, Currency: k.Currency, Minor: v, Amount: FormatNumber(v, k.Currency)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Account != out[j].Account {
			return out[i].Account < out[j].Account
		}
		return out[i].Currency < out[j].Currency
	})
	return out
}
