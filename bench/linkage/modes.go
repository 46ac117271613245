package main

import (
	"fmt"

	"rollcall/bench/linkage/eval"
	"rollcall/internal/linkage"
)

// reviewed simulates the work after 'dedupe --auto': an editor accepts the
// learned name forms whose evidence pairs are all one true person and
// refuses the others, dedupe runs again with them, and a person answers
// every queued pair and every queued person correctly (pairs: same or
// different; persons: "different" across the true persons of the
// cluster). It prints the scores and counts after, and how big the queue
// was beside the records.
func reviewed(title string, recs []linkage.Record, truth map[string]string, opt linkage.Options) {
	forms := linkage.LearnNameForms(recs, nil)
	var accepted []linkage.NameForm
	for _, f := range forms {
		ok := true
		for _, p := range f.Pairs {
			ok = ok && truth[p[0]] == truth[p[1]]
		}
		if ok {
			accepted = append(accepted, f)
		}
	}
	opt.NameForms = accepted
	res, err := linkage.Link(recs, nil, opt)
	must(err)
	fmt.Printf("   learned name forms: %d proposed, %d accepted (evidence all one person)\n", len(forms), len(accepted))
	fmt.Printf("   with them, after --auto: %s\n", eval.Pairwise(res.Clusters, truth))

	var decisions []linkage.Decision
	decide := func(a, b string) {
		v := linkage.Different
		if truth[a] == truth[b] {
			v = linkage.Same
		}
		decisions = append(decisions, linkage.Decision{A: a, B: b, Verdict: v})
	}
	for _, p := range res.Review {
		decide(p.A, p.B)
	}
	suspects := linkage.Suspects(recs, res.Clusters, res.Model)
	for _, s := range suspects {
		for i, a := range s.Records {
			for _, b := range s.Records[i+1:] {
				if truth[a] != truth[b] {
					decide(a, b)
				}
			}
		}
	}
	queue := len(res.Review) + len(suspects)
	after, err := linkage.Link(recs, decisions, opt)
	must(err)
	fmt.Printf("   after a person answers the queue (%d pairs + %d persons = %.1f%% of the records): %s\n",
		len(res.Review), len(suspects), 100*float64(queue)/float64(len(recs)), eval.Pairwise(after.Clusters, truth))
	for _, c := range eval.Counts(recs, after.Clusters, truth) {
		fmt.Printf("   persons %-9s true %6d  after review %6d (error %+d)\n", c.Name, c.True, c.Linked, c.Linked-c.True)
	}
}
