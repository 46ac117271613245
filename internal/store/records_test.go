package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"rollcall/internal/registry"
	"rollcall/internal/seal"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

func period(t *testing.T, s string) registry.Period {
	t.Helper()
	p, err := registry.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// auditActorActions lists the actions of the audit log after seq.
func auditActorActions(t *testing.T, s *store.Store, after int64) []string {
	t.Helper()
	es, err := s.AuditEntries(context.Background(), after, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Actor+" "+e.Action)
	}
	return out
}

// addRecord enters a record by hand for user, with one claim.
func addRecord(t *testing.T, s *store.Store, sourceID, user, name string, c registry.Claim) (string, string) {
	t.Helper()
	rec := registry.Record{SourceID: sourceID, Name: name, NameAlt: []string{"Азамат Курбанов"}, Sex: "m", BirthYear: 1990, Region: "Nukus", Roles: []registry.Role{"protester"}}
	recID, person, err := s.AddRecord(context.Background(), user, user == "ed", rec, c)
	if err != nil {
		t.Fatal(err)
	}
	return recID, person
}

func TestEnteredRecordsAreLikeImportedOnes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		src, err := s.AddSource(ctx, "ed", "hotline", registry.KindRelative, 3, "Informant Zhaqsylyq")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddSource(ctx, "ed", "hotline", registry.KindMedia, 1, ""); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("a second source with the same key: %v", err)
		}
		if v, err := s.Sealed(ctx, "ed", store.SealedSourceIdentity, src); err != nil || v != "Informant Zhaqsylyq" {
			t.Errorf("identity read back %q %v", v, err)
		}
		c := registry.Claim{Status: registry.Detained, Date: period(t, "2022-07-02"), Verification: registry.Corroborated, Place: "Nukus jail", Note: "seen by a neighbour"}
		recID, person := addRecord(t, s, src, "vol-1", "Azamat Qurbanov", c)
		// The Cyrillic spelling finds it, as an imported record's would.
		if ids, err := s.SearchRecords(ctx, "Курбанов", 10); err != nil || len(ids) != 1 || ids[0] != recID {
			t.Errorf("search by the other spelling: %v %v", ids, err)
		}
		rec, claims, err := s.Record(ctx, recID)
		if err != nil || rec.PersonID != person || rec.EnteredBy != "vol-1" || len(claims) != 1 || !claims[0].HasNote || claims[0].EnteredBy != "vol-1" {
			t.Fatalf("record %+v claims %+v %v", rec, claims, err)
		}
		if note, err := s.ClaimNote(ctx, "ed", claims[0].ID); err != nil || note != "seen by a neighbour" {
			t.Errorf("note %q %v", note, err)
		}
		if sum, err := s.RefreshPublic(ctx); err != nil || sum.People != 1 {
			t.Errorf("public list after a record entered by hand: %+v %v", sum, err)
		}
		if _, err := s.AddClaim(ctx, "vol-1", recID, c); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("the same claim twice: %v", err)
		}
		if _, _, err := s.AddRecord(ctx, "vol-1", false, registry.Record{SourceID: "nope", Name: "X"}, c); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown source: %v", err)
		}
		got := auditActorActions(t, s, 0)
		want := []string{"ed source.add", "ed sealed.write", "ed sealed.read", "vol-1 record.add", "vol-1 claim.add", "ed sealed.read"}
		if len(got) != len(want) {
			t.Fatalf("audit %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("audit entry %d: %q, want %q", i, got[i], want[i])
			}
		}
	})
}

func TestVolunteersSeeOnlyTheirOwnUntilTaken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		src, _ := s.AddSource(ctx, "ed", "hotline", registry.KindRelative, 0, "")
		c := registry.Claim{Status: registry.Missing, Date: period(t, "2022-07")}
		a, _ := addRecord(t, s, src, "vol-a", "Azamat Qurbanov", c)
		b, _ := addRecord(t, s, src, "vol-b", "Bahadir Allanazarov", c)
		importCSV(t, s, "list,1,Imported Person,m,1980,Nukus,missing,2022-07,,")
		ids := func(f store.RecordFilter) []string {
			rs, err := s.Records(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rs {
				out = append(out, r.ID)
			}
			return out
		}
		if got := ids(store.RecordFilter{EnteredBy: "vol-a"}); len(got) != 1 || got[0] != a {
			t.Errorf("volunteer A sees %v, want only %s", got, a)
		}
		if got := ids(store.RecordFilter{}); len(got) != 3 {
			t.Errorf("editors see %d records, want 3", len(got))
		}
		if got := ids(store.RecordFilter{EnteredBy: "vol-a", Query: "Allanazarov"}); len(got) != 0 {
			t.Errorf("volunteer A finds B's record by name: %v", got)
		}
		if got := ids(store.RecordFilter{EnteredBy: "vol-b", Query: "Allanazarov"}); len(got) != 1 || got[0] != b {
			t.Errorf("volunteer B searching their own record finds %v", got)
		}
		if err := s.TakeRecord(ctx, "ed", b); err != nil {
			t.Fatal(err)
		}
		if err := s.TakeRecord(ctx, "ed", b); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("taking twice: %v", err)
		}
		if err := s.TakeRecord(ctx, "ed", "no-such-record"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("taking an unknown record: %v", err)
		}
		if got := ids(store.RecordFilter{EnteredBy: "vol-b"}); len(got) != 0 {
			t.Errorf("volunteer B still sees a taken record: %v", got)
		}
		rec, _, _ := s.Record(ctx, b)
		if !rec.Taken() || rec.TakenBy != "ed" || rec.EnteredBy != "vol-b" {
			t.Errorf("taken record %+v", rec)
		}
		// An editor's own entry is in the editors' hands from the start.
		own, _ := addRecord(t, s, src, "ed", "Editor Entry", c)
		if rec, _, _ := s.Record(ctx, own); !rec.Taken() || rec.TakenBy != "ed" {
			t.Errorf("an editor's entry is not taken: %+v", rec)
		}
		if err := s.TakeRecord(ctx, "ed", own); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("taking an editor's entry: %v", err)
		}
	})
}

func TestVerificationIsAppendedAndCountedAtItsTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		src, _ := s.AddSource(ctx, "ed", "hotline", registry.KindRelative, 0, "")
		recID, _ := addRecord(t, s, src, "vol", "Azamat Qurbanov", registry.Claim{Status: registry.Detained, Date: period(t, "2022-07-02"), Note: "private"})
		_, claims, _ := s.Record(ctx, recID)
		first := claims[0].ID
		before := s.Now()
		if c := counts(t, s, "2022-08-03", before, registry.Corroborated); c.DetainedNow != 0 {
			t.Fatalf("an unverified claim counted: %+v", c)
		}
		second, err := s.SetVerification(ctx, "ed", first, registry.Corroborated)
		if err != nil {
			t.Fatal(err)
		}
		after := s.Now()
		if c := counts(t, s, "2022-08-03", after, registry.Corroborated); c.DetainedNow != 1 {
			t.Errorf("the corroborated claim is not counted: %+v", c)
		}
		if c := counts(t, s, "2022-08-03", before, registry.Corroborated); c.DetainedNow != 0 {
			t.Errorf("the count as known before the verification changed: %+v", c)
		}
		if c := counts(t, s, "2022-08-03", after, registry.Unverified); c.DetainedNow != 1 || c.DetainedEver != 1 {
			t.Errorf("the old level is still counted beside the new: %+v", c)
		}
		// Back to unverified: a third claim, the first's content again.
		third, err := s.SetVerification(ctx, "ed", second, registry.Unverified)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetVerification(ctx, "ed", second, registry.Verified); !errors.Is(err, store.ErrRetracted) {
			t.Errorf("verifying a superseded claim: %v", err)
		}
		if _, err := s.SetVerification(ctx, "ed", third, registry.Unverified); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("setting the level it has: %v", err)
		}
		_, claims, _ = s.Record(ctx, recID)
		if len(claims) != 3 || claims[1].Supersedes != first || claims[2].Supersedes != second ||
			claims[0].RetractedAt.IsZero() || claims[1].RetractedAt.IsZero() || !claims[2].RetractedAt.IsZero() {
			t.Fatalf("history %+v", claims)
		}
		if note, err := s.ClaimNote(ctx, "ed", third); err != nil || note != "private" {
			t.Errorf("the note did not follow the claim: %q %v", note, err)
		}
		if err := s.WithdrawClaim(ctx, "ed", third, "wrong person"); err != nil {
			t.Fatal(err)
		}
		_, claims, _ = s.Record(ctx, recID)
		if claims[2].RetractReason != "wrong person" || claims[0].RetractReason != "verification set to corroborated" {
			t.Errorf("retraction reasons %q, %q", claims[2].RetractReason, claims[0].RetractReason)
		}
		if es, _ := s.AuditEntries(ctx, 0, 100); es[len(es)-1].Action != "claim.retract" || es[len(es)-1].Detail != "" {
			t.Errorf("the retraction's audit entry holds free text: %+v", es[len(es)-1])
		}
		if err := s.WithdrawClaim(ctx, "ed", third, "again"); !errors.Is(err, store.ErrRetracted) {
			t.Errorf("retracting twice: %v", err)
		}
		if err := s.WithdrawClaim(ctx, "ed", "no-such-claim", "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("retracting an unknown claim: %v", err)
		}
	})
}

func TestMarkNeedsConsentOrReason(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		src, _ := s.AddSource(ctx, "ed", "hotline", registry.KindRelative, 0, "")
		_, person := addRecord(t, s, src, "vol", "Azamat Qurbanov", registry.Claim{Status: registry.Detained, Date: period(t, "2022-07-02")})
		if err := s.MarkWithConsent(ctx, "ed", person, registry.MarkPublic, "", registry.Consent{}); !errors.Is(err, registry.ErrPublicNeedsConsent) {
			t.Errorf("public with neither: %v", err)
		}
		if err := s.MarkWithConsent(ctx, "ed", person, registry.MarkPublic, "", registry.Consent{GivenBy: "his mother"}); !errors.Is(err, registry.ErrConsentIncomplete) {
			t.Errorf("half a consent: %v", err)
		}
		if marks, _ := s.PersonMarks(ctx, person); len(marks) != 0 {
			t.Fatalf("a refused mark was stored: %+v", marks)
		}
		consent := registry.Consent{GivenBy: "his mother, Gulnara", Given: 20220810, How: "in writing"}
		if err := s.MarkWithConsent(ctx, "ed", person, registry.MarkPublic, "", consent); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkWithConsent(ctx, "ed", "no-such-person", registry.MarkWithheld, "x", registry.Consent{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown person: %v", err)
		}
		marks, _ := s.PersonMarks(ctx, person)
		cs, err := s.Consents(ctx, person)
		if err != nil || len(marks) != 1 || marks[0].Mark != registry.MarkPublic || marks[0].By != "ed" || len(cs) != 1 || cs[0].Given != 20220810 || cs[0].How != "in writing" {
			t.Fatalf("marks %+v consents %+v %v", marks, cs, err)
		}
		if who, err := s.Sealed(ctx, "ed", store.SealedRelativeContact, cs[0].ID); err != nil || who != "his mother, Gulnara" {
			t.Errorf("who gave it: %q %v", who, err)
		}
		if err := s.MarkWithConsent(ctx, "ed", person, registry.MarkWithheld, "the family asked", registry.Consent{}); err != nil {
			t.Fatal(err)
		}
		if marks, _ := s.PersonMarks(ctx, person); len(marks) != 2 || marks[1].Mark != registry.MarkWithheld {
			t.Errorf("marks %+v", marks)
		}
	})
}

func TestMoveSplitRelateAndIncidents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		src, _ := s.AddSource(ctx, "ed", "hotline", registry.KindRelative, 0, "")
		inc, err := s.AddIncident(ctx, "ed", registry.Incident{Name: "Nukus dispersal", Date: period(t, "2022-07-01"), Place: "Nukus"})
		if err != nil {
			t.Fatal(err)
		}
		if ins, _ := s.Incidents(ctx); len(ins) != 1 || ins[0].ID != inc || ins[0].Date.String() != "2022-07-01" {
			t.Errorf("incidents %+v", ins)
		}
		c := registry.Claim{Status: registry.Detained, Date: period(t, "2022-07-02"), IncidentID: inc}
		a, pa := addRecord(t, s, src, "vol", "Azamat Qurbanov", c)
		b, pb := addRecord(t, s, src, "vol", "Azamat Kurbanov", c)
		if _, err := s.AddClaim(ctx, "vol", a, registry.Claim{Status: registry.Missing, Date: period(t, "2022-07"), IncidentID: "nope"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("claim pointing at an unknown incident: %v", err)
		}
		if _, err := s.MoveRecord(ctx, "ed", b, pa, ""); err == nil {
			t.Error("a move without a reason was accepted")
		}
		if got, err := s.MoveRecord(ctx, "ed", b, pa, "same birth year and place"); err != nil || got != pa {
			t.Fatalf("move: %v %v", got, err)
		}
		if p, _ := s.PersonOf(ctx, b); p != pa {
			t.Errorf("b is in %s, want %s", p, pa)
		}
		if ok, _ := s.PersonExists(ctx, pb); ok {
			t.Error("the emptied person still exists")
		}
		rs, _ := s.Records(ctx, store.RecordFilter{PersonID: pa})
		if len(rs) != 2 {
			t.Errorf("person holds %d records, want 2", len(rs))
		}
		split, err := s.MoveRecord(ctx, "ed", b, "", "different fathers")
		if err != nil || split == pa || split == "" {
			t.Fatalf("split: %v %v", split, err)
		}
		if _, err := s.MoveRecord(ctx, "ed", b, "", "again"); !errors.Is(err, store.ErrCannotMove) {
			t.Error("splitting a record alone in its person was accepted")
		}
		rel, err := s.AddRelation(ctx, "ed", pa, split, registry.Sibling, "their aunt, +998 90 123")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddRelation(ctx, "ed", pa, pa, registry.Sibling, ""); err == nil {
			t.Error("a person related to themself")
		}
		if _, err := s.AddRelation(ctx, "ed", pa, "nobody", registry.Sibling, ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("relation to an unknown person: %v", err)
		}
		if rels, _ := s.RelationsOf(ctx, split); len(rels) != 1 || rels[0].ID != rel || rels[0].Kind != registry.Sibling {
			t.Errorf("relations %+v", rels)
		}
		if v, err := s.Sealed(ctx, "ed", store.SealedRelativeContact, rel); err != nil || v != "their aunt, +998 90 123" {
			t.Errorf("contact %q %v", v, err)
		}
		if _, claims, _ := s.Record(ctx, a); claims[0].IncidentName != "Nukus dispersal" {
			t.Errorf("claim's incident %+v", claims[0])
		}
	})
}

func TestSnapshotAndItsAuditEntryTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2022, 8, 3, 12, 0, 0, 0, time.UTC)
		sn := store.Snapshot{ID: store.NewID(), Slug: "2022-08-03", AsOf: 20220803, KnownAt: now, CountsJSON: "{}", Body: []byte("{}"), PublishedAt: now}
		head, err := s.SaveSnapshotAudited(ctx, "ed", sn)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.AuditHead(ctx); err != nil || got != head {
			t.Errorf("head %v, want %v (%v)", got, head, err)
		}
		s.Audit(ctx, "ed", "later", "x", "")
		if got, err := s.PublicationHead(ctx, sn.ID); err != nil || got != head {
			t.Errorf("publication head %v, want %v (%v)", got, head, err)
		}
		// The same slug again fails, and leaves no audit entry.
		if _, err := s.SaveSnapshotAudited(ctx, "ed", sn); err == nil {
			t.Fatal("a snapshot stored twice")
		}
		if es, _ := s.AuditEntries(ctx, 0, 10); len(es) != 2 {
			t.Errorf("audit holds %d entries after a failed publication, want 2", len(es))
		}
	})
}

// A level set back to an earlier one restates a claim identical to a
// retracted one; a key rotation recomputes the fingerprints of noted
// claims, and must not make the two collide.
func TestRotationAfterALevelRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		withClock(s)
		dir := t.TempDir()
		k, err := seal.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.SetKeys(k)
		src, _ := s.AddSource(ctx, "ed", "hotline", registry.KindRelative, 0, "who")
		recID, _ := addRecord(t, s, src, "vol", "Azamat Qurbanov", registry.Claim{Status: registry.Detained, Date: period(t, "2022-07-02"), Note: "private"})
		first := func() string { _, c, _ := s.Record(ctx, recID); return c[len(c)-1].ID }
		for _, level := range []registry.Verification{registry.Corroborated, registry.Unverified, registry.Verified, registry.Unverified} {
			if _, err := s.SetVerification(ctx, "ed", first(), level); err != nil {
				t.Fatalf("to %s: %v", level, err)
			}
		}
		if err := k.BeginRotation(dir); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResealAll(ctx, "ed"); err != nil {
			t.Fatalf("rotation after a level round trip: %v", err)
		}
		if err := k.FinishRotation(dir); err != nil {
			t.Fatal(err)
		}
		onlyNew, err := seal.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.SetKeys(onlyNew)
		_, claims, _ := s.Record(ctx, recID)
		if len(claims) != 5 {
			t.Fatalf("%d claims, want 5", len(claims))
		}
		for _, c := range claims {
			if !c.HasNote {
				t.Errorf("claim %s lost its note", c.ID)
			}
			if note, err := s.ClaimNote(ctx, "ed", c.ID); err != nil || note != "private" {
				t.Errorf("claim %s after rotation: %q %v", c.ID, note, err)
			}
		}
	})
}

func TestSmallLookups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		src, _ := s.AddSource(ctx, "ed", "hotline", registry.KindMedia, 4, "")
		bare, _ := s.AddSource(ctx, "ed", "bare", registry.KindList, 0, "")
		if got, err := s.Source(ctx, src); err != nil || got.Key != "hotline" || got.Kind != registry.KindMedia || got.Reliability != 4 || got.Records != 0 {
			t.Errorf("source %+v %v", got, err)
		}
		if _, err := s.Source(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown source: %v", err)
		}
		if err := s.SetSealed(ctx, "ed", store.SealedSourceIdentity, src, "who"); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.HasSealed(ctx, store.SealedSourceIdentity, src); err != nil || !ok {
			t.Errorf("has sealed: %v %v", ok, err)
		}
		if ok, _ := s.HasSealed(ctx, store.SealedSourceIdentity, bare); ok {
			t.Error("a source without an identity has one")
		}
		rec, person := addRecord(t, s, src, "vol", "Azamat Qurbanov", registry.Claim{Status: registry.Missing, Date: period(t, "2022")})
		_, claims, _ := s.Record(ctx, rec)
		if got, err := s.ClaimRecord(ctx, claims[0].ID); err != nil || got != rec {
			t.Errorf("claim's record %q %v", got, err)
		}
		if _, err := s.ClaimRecord(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown claim: %v", err)
		}
		if ok, _ := s.PersonExists(ctx, person); !ok {
			t.Error("the record's person does not exist")
		}
		for table, id := range map[string]string{"sources": src, "claims": claims[0].ID} {
			if ok, err := s.Exists(ctx, table, id); err != nil || !ok {
				t.Errorf("%s %s: %v %v", table, id, ok, err)
			}
			if ok, _ := s.Exists(ctx, table, "nope"); ok {
				t.Errorf("%s: an unknown id exists", table)
			}
		}
		if _, err := s.Exists(ctx, "users", "x"); err == nil {
			t.Error("Exists reads any table")
		}
	})
}
