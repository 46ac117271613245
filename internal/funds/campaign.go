package funds

import (
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Campaign is an appeal for money with a goal: legal aid, family support.
type Campaign struct {
	ID       string
	Slug     string // in URLs and account names; never changes
	Currency string
	Goal     int64 // minor units
	Starts   int   // yyyymmdd
	Ends     int   // yyyymmdd; 0 for open-ended
	// Texts are the title and description per language code.
	Texts map[string]CampaignText
}

// CampaignText is a campaign's words in one language.
type CampaignText struct {
	Title string
	Body  string
}

// Why a campaign, a crypto asset or a transaction id is refused: pages
// show each in their reader's language.
var (
	ErrCampaignSlug      = errors.New("the short name must be 2 to 40 lower-case letters, digits or hyphens")
	ErrCampaignSlugTaken = errors.New("the short name is taken by a page of the site")
	ErrCampaignGoal      = errors.New("the goal must be more than zero")
	ErrCampaignStart     = errors.New("the campaign needs a start date")
	ErrCampaignEnds      = errors.New("the campaign ends before it starts")
	ErrCampaignTitle     = errors.New("the campaign needs at least an English title")
	ErrCryptoAsset       = errors.New("unknown crypto asset")
	ErrTxID              = errors.New("the transaction id must be 8 to 128 letters, digits, ':', '_' or '-'")
)

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// Check refuses a campaign that cannot be shown or booked.
func (c Campaign) Check() error {
	if !slugPattern.MatchString(c.Slug) {
		return fmt.Errorf("%q: %w", c.Slug, ErrCampaignSlug)
	}
	if c.Slug == "thanks" || c.Slug == "pledge" {
		return fmt.Errorf("%q: %w", c.Slug, ErrCampaignSlugTaken)
	}
	if _, ok := exponents[c.Currency]; !ok {
		return fmt.Errorf("%w %q", ErrCurrency, c.Currency)
	}
	if c.Goal <= 0 {
		return ErrCampaignGoal
	}
	if c.Starts == 0 {
		return ErrCampaignStart
	}
	if c.Ends != 0 && c.Ends < c.Starts {
		return ErrCampaignEnds
	}
	if strings.TrimSpace(c.Texts["en"].Title) == "" {
		return ErrCampaignTitle
	}
	return nil
}

// Text is the campaign's words in lang, falling back to English.
func (c Campaign) Text(lang string) CampaignText {
	if t, ok := c.Texts[lang]; ok && t.Title != "" {
		return t
	}
	return c.Texts["en"]
}

// Gift kinds.
const (
	GiftCard        = "card"         // one-off through Checkout
	GiftCardMonthly = "card_monthly" // a monthly subscription through Checkout
	GiftBank        = "bank"         // a pledged bank transfer
	GiftCrypto      = "crypto"       // a crypto transfer
)

// referenceAlphabet has no 0/O or 1/I: a reference is copied by hand
// onto a bank form.
const referenceAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewReference makes the code a donor writes on a bank transfer, such
// as "RC-7KQM-X4PD": 40 random bits, so codes cannot be guessed.
func NewReference() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = referenceAlphabet[int(b[i])%len(referenceAlphabet)]
	}
	return "RC-" + string(b[:4]) + "-" + string(b[4:])
}

var referencePattern = regexp.MustCompile(`(?i)RC[\s-]*([A-HJ-NP-Z2-9]{4})[\s-]*([A-HJ-NP-Z2-9]{4})`)

// FindReference finds a pledge's reference code in a bank transfer's
// free text, however the bank spaced or cased it; "" when there is none.
func FindReference(text string) string {
	m := referencePattern.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return "RC-" + strings.ToUpper(m[1]) + "-" + strings.ToUpper(m[2])
}

// CryptoAssets are the crypto assets we accept.
var CryptoAssets = []string{"BTC", "ETH", "USDT", "USDC", "LTC", "XMR"}

// ParseCryptoAsset reads an asset name.
func ParseCryptoAsset(s string) (string, error) {
	a := strings.ToUpper(strings.TrimSpace(s))
	if slices.Contains(CryptoAssets, a) {
		return a, nil
	}
	return "", fmt.Errorf("%w %q: one of %s", ErrCryptoAsset, s, strings.Join(CryptoAssets, ", "))
}

var txIDPattern = regexp.MustCompile(`^[A-Za-z0-9:_-]{8,128}$`)

// CheckTxID refuses what cannot be a transaction id or hash.
func CheckTxID(s string) error {
	if !txIDPattern.MatchString(s) {
		return ErrTxID
	}
	return nil
}
