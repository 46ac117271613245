package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"rollcall/internal/funds"
)

// ---- campaigns

// CreateCampaign stores a campaign with its texts.
func (s *Store) CreateCampaign(ctx context.Context, actor string, c funds.Campaign) (funds.Campaign, error) {
	if err := c.Check(); err != nil {
		return c, err
	}
	c.ID = NewID()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM fund_campaigns WHERE slug = ?`), c.Slug).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%q: %w", c.Slug, ErrCampaignExists)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_campaigns (id, slug, currency, goal, starts, ends, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			c.ID, c.Slug, c.Currency, c.Goal, c.Starts, c.Ends, s.Now().UnixMicro(), actor); err != nil {
			return err
		}
		for lang, t := range c.Texts {
			if strings.TrimSpace(t.Title) == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_campaign_texts (campaign_id, lang, title, body) VALUES (?, ?, ?, ?)`),
				c.ID, lang, strings.TrimSpace(t.Title), strings.TrimSpace(t.Body)); err != nil {
				return err
			}
		}
		_, err := s.appendAudit(ctx, tx, actor, "funds.campaign.create", c.ID, c.Slug+" goal "+funds.FormatAmount(c.Goal, c.Currency))
		return err
	})
	return c, err
}

// Campaigns lists every campaign, newest start first.
func (s *Store) Campaigns(ctx context.Context) ([]funds.Campaign, error) {
	return s.campaigns(ctx, "")
}

// CampaignBySlug finds a campaign; ErrNotFound when there is none.
func (s *Store) CampaignBySlug(ctx context.Context, slug string) (funds.Campaign, error) {
	cs, err := s.campaigns(ctx, slug)
	if err != nil {
		return funds.Campaign{}, err
	}
	if len(cs) == 0 {
		return funds.Campaign{}, fmt.Errorf("campaign %q: %w", slug, ErrNotFound)
	}
	return cs[0], nil
}

func (s *Store) campaigns(ctx context.Context, slug string) ([]funds.Campaign, error) {
	q := `SELECT id, slug, currency, goal, starts, ends FROM fund_campaigns`
	args := []any{}
	if slug != "" {
		q += ` WHERE slug = ?`
		args = append(args, slug)
	}
	rows, err := s.read.QueryContext(ctx, s.rebind(q+` ORDER BY starts DESC, slug`), args...)
	if err != nil {
		return nil, err
	}
	var out []funds.Campaign
	byID := map[string]int{}
	for rows.Next() {
		var c funds.Campaign
		if err := rows.Scan(&c.ID, &c.Slug, &c.Currency, &c.Goal, &c.Starts, &c.Ends); err != nil {
			rows.Close()
			return nil, err
		}
		c.Texts = map[string]funds.CampaignText{}
		byID[c.ID] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	trows, err := s.read.QueryContext(ctx, `SELECT campaign_id, lang, title, body FROM fund_campaign_texts`)
	if err != nil {
		return nil, err
	}
	defer trows.Close()
	for trows.Next() {
		var id, lang string
		var t funds.CampaignText
		if err := trows.Scan(&id, &lang, &t.Title, &t.Body); err != nil {
			return nil, err
		}
		if i, ok := byID[id]; ok {
			out[i].Texts[lang] = t
		}
	}
	return out, trows.Err()
}

// CampaignTotals is what a campaign's public page shows.
type CampaignTotals struct {
	// Raised is income net of refunds and disputes, per currency.
	Raised map[string]int64
	// Donors counts the gifts that brought money and were not reversed
	// in full.
	Donors int
	// Spending is what was paid out, per category and currency.
	Spending []CategoryTotal
	// Named are the display names donors chose to show.
	Named []string
}

// CategoryTotal is spending in one category and currency.
type CategoryTotal struct {
	Category funds.Category
	Currency string
	Amount   int64
}

// CampaignTotals computes a campaign's figures from the ledger's entries.
func (s *Store) CampaignTotals(ctx context.Context, c funds.Campaign) (CampaignTotals, error) {
	t := CampaignTotals{Raised: map[string]int64{}}
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT e.account, e.currency, sum(e.amount) FROM fund_entries e
		JOIN fund_transactions t ON t.id = e.transaction_id WHERE t.campaign_id = ? GROUP BY e.account, e.currency`), c.ID)
	if err != nil {
		return t, err
	}
	for rows.Next() {
		var account, cur string
		var sum int64
		if err := rows.Scan(&account, &cur, &sum); err != nil {
			rows.Close()
			return t, err
		}
		switch _, cat := funds.Describe(account); {
		case account == funds.AccountIncome(c.Slug):
			t.Raised[cur] = -sum
		case strings.HasPrefix(account, "spending:") && sum != 0:
			t.Spending = append(t.Spending, CategoryTotal{funds.Category(cat), cur, sum})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t, err
	}
	sort.Slice(t.Spending, func(i, j int) bool { return t.Spending[i].Category < t.Spending[j].Category })
	grows, err := s.read.QueryContext(ctx, s.rebind(`SELECT g.id, g.display_name FROM fund_gifts g WHERE g.id IN (
		SELECT t.gift_id FROM fund_transactions t JOIN fund_entries e ON e.transaction_id = t.id
		WHERE t.campaign_id = ? AND t.gift_id IS NOT NULL AND e.account = ?
		GROUP BY t.gift_id HAVING sum(e.amount) < 0) ORDER BY g.created_at`), c.ID, funds.AccountIncome(c.Slug))
	if err != nil {
		return t, err
	}
	defer grows.Close()
	for grows.Next() {
		var id, name string
		if err := grows.Scan(&id, &name); err != nil {
			return t, err
		}
		t.Donors++
		if name != "" && s.keys != nil {
			if plain, err := s.keys.UnsealString(giftPlace("display_name", id), name); err == nil && plain != "" {
				t.Named = append(t.Named, plain)
			}
		}
	}
	return t, grows.Err()
}
