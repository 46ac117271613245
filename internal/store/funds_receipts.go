package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"rollcall/internal/funds"
)

// Receipt is a bank transfer or crypto gift a treasurer entered.
type Receipt struct {
	ID, Kind, GiftID, Campaign string
	Amount                     int64
	Currency                   string
	Day                        int
	Asset, AssetAmount         string
	ExternalID                 string // the bank reference and day, or the crypto transaction id
	EnteredBy, ConfirmedBy     string
}

// EnterBankTransfer records a received transfer matched to the pledge of
// reference; it counts once another treasurer confirms it. The same
// reference, day and amount cannot be entered twice.
func (s *Store) EnterBankTransfer(ctx context.Context, actor, reference string, amount int64, currency string, day int) (Receipt, error) {
	p, err := s.PledgeByReference(ctx, reference)
	if err != nil {
		return Receipt{}, err
	}
	if currency != p.Currency {
		return Receipt{}, fmt.Errorf("%w: the pledge is in %s, the transfer in %s: enter the amount credited in %s", ErrCurrencyMismatch, p.Currency, currency, p.Currency)
	}
	r := Receipt{ID: NewID(), Kind: funds.GiftBank, GiftID: p.GiftID, Campaign: p.Campaign.Slug, Amount: amount, Currency: currency, Day: day,
		ExternalID: fmt.Sprintf("%s/%d/%d", reference, day, amount), EnteredBy: actor}
	return r, s.enterReceipt(ctx, r)
}

// EnterCryptoGift records a crypto transfer (asset, amount as the chain
// shows it, transaction id) and its value in the campaign's currency.
func (s *Store) EnterCryptoGift(ctx context.Context, actor string, c funds.Campaign, asset, assetAmount, txID string, value int64, day int) (Receipt, error) {
	if err := funds.CheckTxID(txID); err != nil {
		return Receipt{}, err
	}
	giftID, err := s.newGift(ctx, c, funds.GiftCrypto, value, "", "")
	if err != nil {
		return Receipt{}, err
	}
	r := Receipt{ID: NewID(), Kind: funds.GiftCrypto, GiftID: giftID, Campaign: c.Slug, Amount: value, Currency: c.Currency, Day: day,
		Asset: asset, AssetAmount: assetAmount, ExternalID: asset + ":" + txID, EnteredBy: actor}
	return r, s.enterReceipt(ctx, r)
}

func (s *Store) enterReceipt(ctx context.Context, r Receipt) error {
	if r.Amount <= 0 {
		return &funds.AmountError{Problem: funds.AmountNotPositive, Currency: r.Currency}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM fund_receipts WHERE kind = ? AND external_id = ?`), r.Kind, r.ExternalID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrFundsDuplicate
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_receipts (id, kind, gift_id, amount, currency, day, asset, asset_amount, external_id, entered_by, entered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), r.ID, r.Kind, r.GiftID, r.Amount, r.Currency, r.Day, r.Asset, r.AssetAmount, r.ExternalID, r.EnteredBy, s.Now().UnixMicro()); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, r.EnteredBy, "funds."+r.Kind+".enter", r.ID, funds.FormatAmount(r.Amount, r.Currency))
		return err
	})
}

// ConfirmReceipt counts a bank transfer or crypto gift: a second treasurer
// confirms what the first entered, and the ledger books it.
func (s *Store) ConfirmReceipt(ctx context.Context, actor, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.appendAudit(ctx, tx, actor, "funds.receipt.confirm", id, ""); err != nil {
			return err
		}
		var r Receipt
		var confirmed sql.NullString
		var campaignID string
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT r.kind, r.gift_id, r.amount, r.currency, r.day, r.asset, r.entered_by, r.confirmed_by, c.id, c.slug
			FROM fund_receipts r JOIN fund_gifts g ON g.id = r.gift_id JOIN fund_campaigns c ON c.id = g.campaign_id WHERE r.id = ?`), id).
			Scan(&r.Kind, &r.GiftID, &r.Amount, &r.Currency, &r.Day, &r.Asset, &r.EnteredBy, &confirmed, &campaignID, &r.Campaign)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("receipt %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if err := funds.SecondPerson(r.EnteredBy, actor, confirmed.Valid); err != nil {
			return err
		}
		asset := funds.AccountBank
		if r.Kind == funds.GiftCrypto {
			asset = funds.AccountCrypto(r.Asset)
		}
		txID, err := s.book(ctx, tx, funds.Donation(r.Campaign, asset, r.Currency, r.Amount), campaignID, r.GiftID, r.Day, "receipt:"+id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.rebind(`UPDATE fund_receipts SET confirmed_by = ?, confirmed_at = ?, transaction_id = ? WHERE id = ?`), actor, s.Now().UnixMicro(), txID, id)
		return err
	})
}

// Receipts lists entered receipts, unconfirmed first, newest first.
func (s *Store) Receipts(ctx context.Context) ([]Receipt, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT r.id, r.kind, r.gift_id, c.slug, r.amount, r.currency, r.day, r.asset, r.asset_amount, r.external_id, r.entered_by, COALESCE(r.confirmed_by, '')
		FROM fund_receipts r JOIN fund_gifts g ON g.id = r.gift_id JOIN fund_campaigns c ON c.id = g.campaign_id
		ORDER BY CASE WHEN r.confirmed_by IS NULL THEN 0 ELSE 1 END, r.entered_at DESC LIMIT 500`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Receipt
	for rows.Next() {
		var r Receipt
		if err := rows.Scan(&r.ID, &r.Kind, &r.GiftID, &r.Campaign, &r.Amount, &r.Currency, &r.Day, &r.Asset, &r.AssetAmount, &r.ExternalID, &r.EnteredBy, &r.ConfirmedBy); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
