package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"rollcall/internal/evidence"
	"rollcall/internal/publish"
	"rollcall/internal/store"
)

// A bag for courts and UN mechanisms (docs/evidence.md, "Export"): for
// each item data/ITEM/original.EXT (the bytes as received, decrypted and
// checked against their SHA-256 while copied), data/ITEM/item.json (hashes,
// links, the sealed name and metadata) and data/ITEM/custody.json (its
// audit entries, export included); data/audit-chain.tsv links those entries
// to the chain's head, named in bag-info.txt; the tag manifest is signed
// with the snapshot key.

// bagItem is data/ITEM/item.json.
type bagItem struct {
	ID           string             `json:"id"`
	Original     string             `json:"original"` // path in the bag
	SHA256       string             `json:"sha256"`
	MD5          string             `json:"md5"`
	Size         int64              `json:"size"`
	MediaType    string             `json:"media_type"`
	ReceivedAt   string             `json:"received_at"`
	ReceivedFrom string             `json:"received_from"`
	Name         string             `json:"name_as_sent,omitempty"`
	DeclaredType string             `json:"declared_type,omitempty"`
	Links        []string           `json:"links"`
	Metadata     *evidence.Metadata `json:"metadata,omitempty"`
}

// bagCustody is one entry of data/ITEM/custody.json: every field the
// entry's hash covers (docs/evidence.md gives the formula).
type bagCustody struct {
	Seq      int64  `json:"seq"`
	At       string `json:"at"`
	AtMicros int64  `json:"at_unix_micros"`
	Actor    string `json:"actor"`
	Action   string `json:"action"`
	Object   string `json:"object"`
	Detail   string `json:"detail"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// exportItems resolves the items to export: the ids given, or every item
// linked to person.
func exportItems(ctx context.Context, st *store.Store, ids, persons []string) ([]store.EvidenceItem, error) {
	if (len(ids) > 0) == (len(persons) > 0) || len(persons) > 1 {
		return nil, errors.New("export: give item ids, or one --person")
	}
	if len(persons) == 1 {
		items, err := st.EvidenceItems(ctx, &store.EvidenceLink{Kind: "person", TargetID: persons[0]})
		if err == nil && len(items) == 0 {
			err = fmt.Errorf("no item is linked to person %s", persons[0])
		}
		return items, err
	}
	var items []store.EvidenceItem
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		it, err := st.EvidenceItem(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("item %s: %w", id, err)
		}
		items = append(items, it)
	}
	return items, nil
}

// exportBag writes the bag of items to out (a directory, or FILE.zip). The
// export of each item is a custody entry, made before the bag is sealed
// so that the bag's chain head covers it; a bag that fails is thrown
// away, and an entry says so.
func exportBag(ctx context.Context, g *globals, st *store.Store, blobs evidence.Blobs, items []store.EvidenceItem, out string) (store.AuditHead, error) {
	key, err := publish.SigningKey(g.data)
	if err != nil {
		return store.AuditHead{}, fmt.Errorf("signing key: %w", err)
	}
	bag, err := evidence.NewBag(out)
	if err != nil {
		return store.AuditHead{}, err
	}
	bagID := store.NewID()
	head, err := fillBag(ctx, st, blobs, bag, bagID, filepath.Base(out), items)
	if err == nil {
		err = bag.Finish([]evidence.BagInfo{
			{Label: "Source-Organization", Value: "Rollcall"},
			{Label: "External-Identifier", Value: bagID},
			{Label: "External-Description", Value: fmt.Sprintf("%d evidence item(s) as received, with their metadata and chain of custody", len(items))},
			{Label: "Rollcall-Audit-Head", Value: head.String()},
			{Label: "Rollcall-Signing-Key", Value: publish.Fingerprint(key.Public().(ed25519.PublicKey))},
		}, key)
	}
	if err != nil {
		bag.Abort()
		for _, it := range items {
			st.EvidenceCustodyEvent(ctx, store.ActorCLI, store.CustodyExported, it.ID, "bag="+bagID+" abandoned: nothing written")
		}
		return store.AuditHead{}, err
	}
	return head, nil
}

func fillBag(ctx context.Context, st *store.Store, blobs evidence.Blobs, bag *evidence.Bag, bagID, outName string, items []store.EvidenceItem) (store.AuditHead, error) {
	var first int64
	meta := map[string]bagItem{}
	for _, it := range items {
		d, err := st.EvidenceDetails(ctx, store.ActorCLI, it.ID)
		if err != nil {
			return store.AuditHead{}, fmt.Errorf("item %s: %w", it.ID, err)
		}
		links, err := st.EvidenceLinks(ctx, it.ID)
		if err != nil {
			return store.AuditHead{}, err
		}
		_, r, err := st.OpenEvidenceForExport(ctx, blobs, store.ActorCLI, it.ID, "bag="+bagID+" to="+outName)
		if err != nil {
			return store.AuditHead{}, fmt.Errorf("item %s: %w", it.ID, err)
		}
		original := it.ID + "/original" + evidence.Extension(it.MediaType)
		sum, n, err := bag.AddPayload(original, r)
		r.Close()
		if err != nil {
			return store.AuditHead{}, fmt.Errorf("item %s: %w", it.ID, err)
		}
		if sum != it.SHA256 || n != it.Size { // evidence.Verified makes this impossible; a bag must never hold a wrong copy
			return store.AuditHead{}, fmt.Errorf("item %s: %w", it.ID, evidence.ErrNotAsReceived)
		}
		bi := bagItem{ID: it.ID, Original: "data/" + original, SHA256: it.SHA256, MD5: it.MD5, Size: it.Size, MediaType: it.MediaType,
			ReceivedAt: it.ReceivedAt.Format(time.RFC3339Nano), ReceivedFrom: it.ReceivedBy, Name: d.Name, DeclaredType: d.DeclaredType,
			Links: []string{}, Metadata: d.Metadata}
		for _, l := range links {
			bi.Links = append(bi.Links, l.String())
		}
		meta[it.ID] = bi
	}
	head, err := st.AuditHead(ctx)
	if err != nil {
		return head, err
	}
	for _, it := range items {
		if err := addJSON(bag, it.ID+"/item.json", meta[it.ID]); err != nil {
			return head, err
		}
		entries, err := st.EvidenceCustody(ctx, it.ID)
		if err != nil {
			return head, err
		}
		custody := []bagCustody{}
		for _, e := range entries {
			if e.Seq > head.Seq {
				break // after the head: not covered by this bag
			}
			if first == 0 || e.Seq < first {
				first = e.Seq
			}
			custody = append(custody, bagCustody{e.Seq, e.At.Format(time.RFC3339Nano), e.At.UnixMicro(), e.Actor, e.Action, e.Object, e.Detail, e.PrevHash, e.Hash})
		}
		if err := addJSON(bag, it.ID+"/custody.json", custody); err != nil {
			return head, err
		}
	}
	links, err := st.AuditLinks(ctx, first, head.Seq)
	if err != nil {
		return head, err
	}
	var chain strings.Builder
	chain.WriteString("seq\tprev_hash\thash\n")
	for _, l := range links {
		fmt.Fprintf(&chain, "%d\t%s\t%s\n", l.Seq, l.PrevHash, l.Hash)
	}
	_, _, err = bag.AddPayload("audit-chain.tsv", strings.NewReader(chain.String()))
	return head, err
}

func addJSON(bag *evidence.Bag, name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, _, err = bag.AddPayload(name, strings.NewReader(string(b)+"\n"))
	return err
}

// signingFingerprint names the snapshot key (made at first use).
func signingFingerprint(g *globals) string {
	key, err := publish.SigningKey(g.data)
	if err != nil {
		return "?"
	}
	return publish.Fingerprint(key.Public().(ed25519.PublicKey))
}
