package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

func TestSiteTexts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, ok, err := s.SiteText(ctx, "ru", store.SiteAppeal); err != nil || ok {
			t.Fatalf("fresh store has an appeal (ok=%v, err=%v)", ok, err)
		}
		if err := s.SetSiteText(ctx, "ru", store.SiteAppeal, "Первый текст"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSiteText(ctx, "ru", store.SiteAppeal, "Второй <b>текст</b>"); err != nil {
			t.Fatal(err)
		}
		if body, ok, err := s.SiteText(ctx, "ru", store.SiteAppeal); err != nil || !ok || body != "Второй <b>текст</b>" {
			t.Fatalf("appeal = %q, %v, %v; want the second text as written", body, ok, err)
		}
		if _, ok, _ := s.SiteText(ctx, "en", store.SiteAppeal); ok {
			t.Fatal("setting the Russian appeal set the English one")
		}
		if err := s.SetSiteText(ctx, "ru", store.SiteAppeal, strings.Repeat("x", 70<<10)); err == nil {
			t.Fatal("a 70 KB appeal was accepted")
		}
		if err := s.DeleteSiteText(ctx, "ru", store.SiteAppeal); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.SiteText(ctx, "ru", store.SiteAppeal); ok {
			t.Fatal("deleted appeal still there")
		}
		if err := s.DeleteSiteText(ctx, "ru", store.SiteAppeal); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleting twice: %v, want ErrNotFound", err)
		}
	})
}

func TestFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		later, err := s.AddFigure(ctx, store.Figure{Party: "Prosecutor General", What: "dead", Count: "killed", Value: 21,
			AsOf: 20220720, Source: "Statement", URL: "https://example.org/a"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddFigure(ctx, store.Figure{Party: "Parliament commission", What: "detained", Value: 516, AsOf: 20220705, Source: "Report"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Figures(ctx)
		if err != nil || len(got) != 2 {
			t.Fatalf("figures %v, %v", got, err)
		}
		if got[0].Party != "Parliament commission" || got[1] != later {
			t.Fatalf("figures not in date order or not as stored: %+v", got)
		}
		for _, bad := range []store.Figure{
			{What: "x", Value: 1, AsOf: 20220101, Source: "s"},
			{Party: "p", What: "x", Value: 1, AsOf: 20220101, Source: "s", Count: "nonsense"},
			{Party: "p", What: "x", Value: -1, AsOf: 20220101, Source: "s"},
			{Party: "p", What: "x", Value: 1, AsOf: 20220101, Source: "s", URL: "javascript:alert(1)"},
			{Party: "p", What: "x", Value: 1, Source: "s"},
		} {
			if _, err := s.AddFigure(ctx, bad); err == nil {
				t.Errorf("bad figure accepted: %+v", bad)
			}
		}
		if err := s.RemoveFigure(ctx, later.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveFigure(ctx, later.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("removing twice: %v", err)
		}
		if got, _ := s.Figures(ctx); len(got) != 1 || got[0].AsOf != registry.Day(20220705) {
			t.Fatalf("after removal: %+v", got)
		}
	})
}
