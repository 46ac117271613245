package store

import (
	"context"
	"testing"
	"time"

	"rollcall/internal/funds"
	"rollcall/internal/seal"
)

// After a key rotation donors' and payees' details, and public reports'
// sealed parts, open with the new key alone.
func TestResealFundsMovesToTheNewKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k, err := seal.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.SetKeys(k)
	c, err := s.CreateCampaign(ctx, "t", funds.Campaign{Slug: "rot", Currency: "EUR", Goal: 100, Starts: 20260101, Texts: map[string]funds.CampaignText{"en": {Title: "R"}}})
	if err != nil {
		t.Fatal(err)
	}
	gift, _ := s.NewCardGift(ctx, c, funds.GiftCard, 100, "Shown Name")
	if _, err := s.ApplyProcessorEvent(ctx, funds.ProcessorEvent{Processor: "stripe", ID: "e", Type: "checkout.session.completed", Action: funds.ActionPayment, GiftID: gift,
		SessionID: "cs", PaymentKey: "cs", PaymentIntent: "pi", Amount: 100, Currency: "EUR", Paid: true, Email: "d@example.org", Name: "D", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ProposeDisbursement(ctx, "a", Disbursement{Campaign: c, Category: funds.Travel, Amount: 10, Day: 20260102, Payee: "P", Memo: "M"}); err != nil {
		t.Fatal(err)
	}
	if err := k.BeginRotation(dir); err != nil {
		t.Fatal(err)
	}
	report, err := s.AddReport(ctx, NewReport{Reference: "ABCD-EFGH", Lang: "ru", Name: "Имя", Status: "missing", Relation: "сестра", Contact: "канарейка", Text: "слова"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.ResealAll(ctx, "t")
	if err != nil || rep.Columns != 5+4 {
		t.Fatalf("resealed %d sealed cells, want 9 (the report's content is one): %v", rep.Columns, err)
	}
	if err := k.FinishRotation(dir); err != nil {
		t.Fatal(err)
	}
	tot, err := s.CampaignTotals(ctx, c)
	if err != nil || len(tot.Named) != 1 || tot.Named[0] != "Shown Name" {
		t.Fatalf("display name after rotation: %v %v", tot.Named, err)
	}
	ds, err := s.Disbursements(ctx, "a")
	if err != nil || ds[0].Payee != "P" || ds[0].Memo != "M" {
		t.Fatalf("payee after rotation: %+v %v", ds, err)
	}
	var email string
	s.read.QueryRowContext(ctx, `SELECT donor_email FROM fund_gifts WHERE id = ?`, gift).Scan(&email)
	if got, err := k.UnsealString(giftPlace("donor_email", gift), email); err != nil || got != "d@example.org" {
		t.Fatalf("e-mail after rotation: %q %v", got, err)
	}
	if secrets, err := s.ReportSealed(ctx, "t", report); err != nil || secrets.Contact != "канарейка" {
		t.Fatalf("report contact after rotation: %+v %v", secrets, err)
	}
	if r, err := s.Report(ctx, report); err != nil || r.Name != "Имя" {
		t.Fatalf("report content after rotation: %+v %v", r, err)
	}
}
