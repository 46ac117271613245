package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"rollcall/internal/auth"
	"rollcall/internal/linkage"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

func auditByActor(t *testing.T, st *store.Store, actor string) []string {
	t.Helper()
	entries, err := st.AuditEntries(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Actor == actor && strings.HasPrefix(e.Action, "review.") {
			out = append(out, e.Action)
		}
	}
	return out
}

// An editor, with JavaScript off and on, decides the first pair, sees the
// decision confirmed on the next pair's page, undoes it and finds the
// records apart and the pair waiting again; then marks a pair unsure and
// finds it under "unsure". Each decision and undo is an audit entry.
func TestBrowserReviewDecideUndoUnsure(t *testing.T) {
	browser, _ := browserSite(t)
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			st := storetest.Open(t, store.SQLite)
			site, a := queueSite(t, st)
			srv := httptest.NewServer(site)
			t.Cleanup(srv.Close)
			editor := signIn(t, site, a, auth.Editor)
			tb := openTab(t, browser, js)
			tb.useSession(t, srv.URL, editor)

			tb.navigate(t, srv.URL+"/admin/review/")
			first := pairLinks(pageHTML(t, tb))[0]
			pair, err := st.ReviewPair(context.Background(), first)
			if err != nil {
				t.Fatal(err)
			}
			tb.click(t, `a[href="/admin/review/`+first+`"]`)
			tb.click(t, `button[name="verdict"][value="same"]`)
			if loc := tb.location(t); !strings.Contains(loc, "?decided=") || strings.Contains(loc, first) {
				t.Fatalf("after deciding: %s, want the next pair with the decision confirmed", loc)
			}
			html := pageHTML(t, tb)
			if !strings.Contains(html, "Recorded: “Aziz Karimov” and “Karimov Aziz”: the same person.") {
				t.Fatalf("the decision is not confirmed in words:\n%.3000s", html)
			}
			if personOf(t, st, pair.A.ID) != personOf(t, st, pair.B.ID) {
				t.Fatal("same did not join the records")
			}
			tb.click(t, `#undo`)
			if loc := tb.location(t); !strings.HasSuffix(loc, "/admin/review/"+first+"?undone") {
				t.Fatalf("after the undo: %s", loc)
			}
			if !strings.Contains(pageHTML(t, tb), "The decision was undone") {
				t.Error("the undo is not confirmed")
			}
			if personOf(t, st, pair.A.ID) == personOf(t, st, pair.B.ID) {
				t.Error("after the undo the records are still one person")
			}
			tb.navigate(t, srv.URL+"/admin/review/")
			if links := pairLinks(pageHTML(t, tb)); len(links) == 0 || links[0] != first {
				t.Error("the undone pair is not first in the queue again")
			}

			// Unsure: off the list, under "unsure".
			tb.click(t, `a[href="/admin/review/`+first+`"]`)
			tb.click(t, `button[name="verdict"][value="unsure"]`)
			if !strings.Contains(pageHTML(t, tb), "“Aziz Karimov” and “Karimov Aziz”: unsure.") {
				t.Error("the unsure decision is not confirmed")
			}
			tb.navigate(t, srv.URL+"/admin/review/")
			html = pageHTML(t, tb)
			if links := pairLinks(html); len(links) == 0 || links[0] == first || !strings.Contains(html, "59 pairs of records wait") {
				t.Errorf("the unsure pair is still among the open ones")
			}
			tb.click(t, `#unsure-link`)
			html = pageHTML(t, tb)
			if links := pairLinks(html); len(links) != 1 || links[0] != first || !strings.Contains(html, "1 pairs were marked unsure") {
				t.Errorf("the unsure view lists %v, want only %s", links, first)
			}
			if got := strings.Join(auditByActor(t, st, editor.User.ID), " "); got != "review.decide review.undo review.decide" {
				t.Errorf("audit entries of the editor: %s", got)
			}
			tb.check(t, srv.URL, "")
		})
	}
}

// An undo that a later decision by someone else depends on is refused in
// the page's words, naming that decision; nothing changes.
func TestBrowserReviewUndoRefused(t *testing.T) {
	browser, _ := browserSite(t)
	st := storetest.Open(t, store.SQLite)
	site, a := queueSite(t, st)
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			editor := signIn(t, site, a, auth.Editor)
			other := signIn(t, site, a, auth.Editor)
			tb := openTab(t, browser, js)
			tb.useSession(t, srv.URL, editor)
			tb.navigate(t, srv.URL+"/admin/review/")
			links := pairLinks(pageHTML(t, tb))
			p0, err := st.ReviewPair(ctx, links[0])
			if err != nil {
				t.Fatal(err)
			}
			p1, err := st.ReviewPair(ctx, links[1])
			if err != nil {
				t.Fatal(err)
			}
			tb.click(t, `a[href="/admin/review/`+p0.ID+`"]`)
			tb.click(t, `button[name="verdict"][value="same"]`)
			// Someone else, later, on a record of the person just joined.
			if _, err := st.Decide(ctx, p0.B.ID, p1.A.ID, linkage.Different, other.User.ID, ""); err != nil {
				t.Fatal(err)
			}
			tb.navigate(t, srv.URL+"/admin/review/")
			tb.click(t, `#undo`)
			html := pageHTML(t, tb)
			want := fmt.Sprintf("“%s” and “%s”: different persons, by %s", p0.B.Name, p1.A.Name, other.User.ID)
			if !strings.Contains(html, "cannot be undone, because later decisions depend on it") || !strings.Contains(html, want) {
				t.Fatalf("the refusal does not name the later decision (%q):\n%.3000s", want, html)
			}
			if personOf(t, st, p0.A.ID) != personOf(t, st, p0.B.ID) {
				t.Error("the refused undo parted the records")
			}
			// Clean up for the next run: the later decision, then this one.
			for _, who := range []string{other.User.ID, editor.User.ID} {
				d, err := st.LastDecisionBy(ctx, who)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := st.UndoDecision(ctx, d.ID, who); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
