package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"rollcall/internal/funds"
)

// ---- card gifts

// NewCardGift records a gift about to go to Checkout (kind funds.GiftCard
// or funds.GiftCardMonthly). displayName is "" for an anonymous gift; a
// name is sealed.
func (s *Store) NewCardGift(ctx context.Context, c funds.Campaign, kind string, amount int64, displayName string) (string, error) {
	if kind != funds.GiftCard && kind != funds.GiftCardMonthly {
		return "", fmt.Errorf("not a card gift: %q", kind)
	}
	return s.newGift(ctx, c, kind, amount, displayName, "")
}

func (s *Store) newGift(ctx context.Context, c funds.Campaign, kind string, amount int64, displayName, reference string) (string, error) {
	if amount <= 0 {
		return "", errors.New("the amount must be more than zero")
	}
	id := NewID()
	sealedName, err := s.sealOptional(giftPlace("display_name", id), displayName)
	if err != nil {
		return "", err
	}
	var ref any
	if reference != "" {
		ref = reference
	}
	_, err = s.write.ExecContext(ctx, s.rebind(`INSERT INTO fund_gifts (id, campaign_id, kind, amount, currency, created_at, reference, display_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		id, c.ID, kind, amount, c.Currency, s.Now().UnixMicro(), ref, sealedName)
	return id, err
}

// SetGiftSession records the Checkout session a gift was sent to.
func (s *Store) SetGiftSession(ctx context.Context, giftID, sessionID string) error {
	_, err := s.write.ExecContext(ctx, s.rebind(`UPDATE fund_gifts SET session_id = ? WHERE id = ?`), sessionID, giftID)
	return err
}

// ---- bank transfers and crypto

// Pledge is a bank transfer a donor promised, with its reference code.
type Pledge struct {
	GiftID    string
	Reference string
	Campaign  funds.Campaign
	Amount    int64
	Currency  string
}

// NewPledge records a bank pledge and gives it a reference code.
func (s *Store) NewPledge(ctx context.Context, c funds.Campaign, amount int64, displayName string) (Pledge, error) {
	ref := funds.NewReference()
	id, err := s.newGift(ctx, c, funds.GiftBank, amount, displayName, ref)
	return Pledge{GiftID: id, Reference: ref, Campaign: c, Amount: amount, Currency: c.Currency}, err
}

// PledgeByReference finds a pledge by its code; ErrNotFound when none.
func (s *Store) PledgeByReference(ctx context.Context, reference string) (Pledge, error) {
	var p Pledge
	var slug string
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT g.id, g.reference, g.amount, g.currency, c.slug FROM fund_gifts g JOIN fund_campaigns c ON c.id = g.campaign_id
		WHERE g.reference = ? AND g.kind = ?`), reference, funds.GiftBank).Scan(&p.GiftID, &p.Reference, &p.Amount, &p.Currency, &slug)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("pledge %q: %w", reference, ErrNotFound)
	}
	if err != nil {
		return p, err
	}
	p.Campaign, err = s.CampaignBySlug(ctx, slug)
	return p, err
}
