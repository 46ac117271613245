package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"rollcall/internal/funds"
)

// ---- disbursements

// Disbursement is money paid out for a campaign, by category.
type Disbursement struct {
	ID         string
	Campaign   funds.Campaign
	Category   funds.Category
	Amount     int64
	Currency   string
	Day        int
	Payee      string // sealed at rest; never public
	Memo       string // sealed at rest; never public
	ProposedBy string
	ApprovedBy string
}

// ProposeDisbursement records a payment to be made; it is booked once
// another treasurer approves it.
func (s *Store) ProposeDisbursement(ctx context.Context, actor string, d Disbursement) (string, error) {
	if d.Amount <= 0 {
		return "", &funds.AmountError{Problem: funds.AmountNotPositive, Currency: d.Campaign.Currency}
	}
	if _, err := funds.ParseCategory(string(d.Category)); err != nil {
		return "", err
	}
	if strings.TrimSpace(d.Payee) == "" {
		return "", ErrNoPayee
	}
	id := NewID()
	payee, err := s.sealOptional(disbursementPlace("payee", id), d.Payee)
	if err != nil {
		return "", err
	}
	memo, err := s.sealOptional(disbursementPlace("memo", id), d.Memo)
	if err != nil {
		return "", err
	}
	return id, s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_disbursements (id, campaign_id, category, amount, currency, day, payee, memo, proposed_by, proposed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), id, d.Campaign.ID, string(d.Category), d.Amount, d.Campaign.Currency, d.Day, payee, memo, actor, s.Now().UnixMicro()); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, actor, "funds.disbursement.propose", id, string(d.Category)+" "+funds.FormatAmount(d.Amount, d.Campaign.Currency))
		return err
	})
}

// ApproveDisbursement books a proposed disbursement; the proposer may not
// approve their own.
func (s *Store) ApproveDisbursement(ctx context.Context, actor, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.appendAudit(ctx, tx, actor, "funds.disbursement.approve", id, ""); err != nil {
			return err
		}
		var campaignID, slug, category, currency, proposer string
		var approved sql.NullString
		var amount int64
		var day int
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT d.campaign_id, c.slug, d.category, d.currency, d.amount, d.day, d.proposed_by, d.approved_by
			FROM fund_disbursements d JOIN fund_campaigns c ON c.id = d.campaign_id WHERE d.id = ?`), id).
			Scan(&campaignID, &slug, &category, &currency, &amount, &day, &proposer, &approved)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("disbursement %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if err := funds.SecondPerson(proposer, actor, approved.Valid); err != nil {
			return err
		}
		txID, err := s.book(ctx, tx, funds.Disbursement(slug, funds.Category(category), funds.AccountBank, currency, amount), campaignID, "", day, "disbursement:"+id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.rebind(`UPDATE fund_disbursements SET approved_by = ?, approved_at = ?, transaction_id = ? WHERE id = ?`), actor, s.Now().UnixMicro(), txID, id)
		return err
	})
}

// Disbursements lists disbursements, those awaiting approval first. The
// payee and note are unsealed for the treasurer's page (the caller has
// MoneyView) and the reading is audited.
func (s *Store) Disbursements(ctx context.Context, actor string) ([]Disbursement, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT d.id, c.slug, d.category, d.amount, d.currency, d.day, d.payee, d.memo, d.proposed_by, COALESCE(d.approved_by, '')
		FROM fund_disbursements d JOIN fund_campaigns c ON c.id = d.campaign_id
		ORDER BY CASE WHEN d.approved_by IS NULL THEN 0 ELSE 1 END, d.proposed_at DESC LIMIT 500`)
	if err != nil {
		return nil, err
	}
	var out []Disbursement
	for rows.Next() {
		var d Disbursement
		var cat string
		if err := rows.Scan(&d.ID, &d.Campaign.Slug, &cat, &d.Amount, &d.Currency, &d.Day, &d.Payee, &d.Memo, &d.ProposedBy, &d.ApprovedBy); err != nil {
			rows.Close()
			return nil, err
		}
		d.Category = funds.Category(cat)
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		d := &out[i]
		if s.keys == nil {
			d.Payee, d.Memo = "(sealed)", ""
			continue
		}
		if d.Payee, err = s.keys.UnsealString(disbursementPlace("payee", d.ID), d.Payee); err != nil {
			return nil, err
		}
		if d.Memo != "" {
			if d.Memo, err = s.keys.UnsealString(disbursementPlace("memo", d.ID), d.Memo); err != nil {
				return nil, err
			}
		}
	}
	if len(out) > 0 {
		if err := s.Audit(ctx, actor, "funds.disbursement.read", "", fmt.Sprintf("%d payees unsealed", len(out))); err != nil {
			return nil, err
		}
	}
	return out, nil
}
