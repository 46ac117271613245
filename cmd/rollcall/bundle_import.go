package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"rollcall/internal/evidence"
	"rollcall/internal/field"
	"rollcall/internal/store"
)

// maxBundleRows bounds the rows one bundle may carry.
const maxBundleRows = 10_000_000

// partFile is one part given on the command line.
type partFile struct {
	file string
	h    *field.Header
}

// message is the parts of one message, by index.
type message struct {
	kind, id string
	from     string
	parts    map[int]partFile
	count    int
}

// importParts reads every part's header, groups them into messages and
// checks all of them (complete, each part from one registered device,
// signed, intact) before it applies any: bad input changes nothing.
func importParts(ctx context.Context, st *store.Store, blobs evidence.Blobs, self *field.Identity, files []string, ackOut string, stdout io.Writer) error {
	msgs := map[string]*message{}
	var order []string
	for _, f := range files {
		h, err := readPartHeader(f)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		key := h.Kind + "/" + h.ID
		m := msgs[key]
		if m == nil {
			m = &message{kind: h.Kind, id: h.ID, from: field.SignKeyText(h.From), parts: map[int]partFile{}, count: h.Count}
			msgs[key] = m
			order = append(order, key)
		}
		if field.SignKeyText(h.From) != m.from || h.Count != m.count {
			return fmt.Errorf("%s: says it is part %d/%d of %s %s, but from another sender or of another number of parts than %s", f, h.Index, h.Count, h.Kind, h.ID, m.parts[firstIndex(m)].file)
		}
		if prev, dup := m.parts[h.Index]; dup {
			if prev.h.SHA256 != h.SHA256 {
				return fmt.Errorf("%s and %s both say they are part %d/%d of %s %s, with different contents", prev.file, f, h.Index, h.Count, h.Kind, h.ID)
			}
			continue
		}
		m.parts[h.Index] = partFile{f, h}
	}
	devices := map[string]store.Device{}
	for _, key := range order {
		m := msgs[key]
		var missing []string
		for i := 1; i <= m.count; i++ {
			if _, ok := m.parts[i]; !ok {
				missing = append(missing, fmt.Sprintf("%d", i))
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%s %s is incomplete: part(s) %s of %d missing (have %s); nothing imported", m.kind, m.id, strings.Join(missing, ", "), m.count, partNames(m))
		}
		d, err := st.DeviceByKey(ctx, m.from)
		first := m.parts[1].file
		switch {
		case errors.Is(err, store.ErrUnknownDevice):
			return fmt.Errorf("%s: signed by an unknown device (key %s): register it with 'rollcall device add NAME IDENTITY'; nothing imported", first, fingerprintOf(m.from))
		case err != nil:
			return err
		case d.Revoked():
			return fmt.Errorf("%s: signed by device %s, revoked on %s: refused, nothing imported", first, d.Name, d.RevokedAt.Format(time.RFC3339))
		case m.kind == field.KindBundle && d.Role != store.RoleField:
			return fmt.Errorf("%s: a bundle from %s, which is registered here as a %s, not a field device", first, d.Name, d.Role)
		case m.kind == field.KindAck && d.Role != store.RoleHeadquarters:
			return fmt.Errorf("%s: an acknowledgement from %s, which is not a headquarters this instance sends to", first, d.Name)
		}
		for i := 1; i <= m.count; i++ {
			if p := m.parts[i]; !p.h.Verify(d.VerifyKey()) {
				return fmt.Errorf("%s: part %d/%d's signature does not verify: altered, refused; nothing imported", p.file, i, m.count)
			}
		}
		devices[key] = d
	}
	work, err := os.MkdirTemp("", "rollcall-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	type opened struct {
		m         *message
		meta      field.Meta
		rows      []store.FieldRow
		ack       []string
		originals map[string]store.StagedOriginal
		replay    bool
	}
	var ready []opened
	discard := func() {
		for _, o := range ready {
			store.DiscardStaged(blobs, o.originals, nil)
		}
	}
	for _, key := range order {
		m := msgs[key]
		o := opened{m: m, originals: map[string]store.StagedOriginal{}}
		if m.kind == field.KindBundle {
			if o.replay, err = st.BundleApplied(ctx, m.id); err != nil {
				discard()
				return err
			}
			if o.replay {
				ready = append(ready, o)
				continue
			}
		}
		payload, err := joinParts(m, filepath.Join(work, "payload"))
		if err != nil {
			discard()
			return err
		}
		o.meta, err = field.Open(payload, self.Age, func(meta field.Meta, name string, size int64, body io.Reader) error {
			switch {
			case strings.HasPrefix(name, field.OriginalPrefix) && meta.Kind == field.KindBundle:
				sha := strings.TrimPrefix(name, field.OriginalPrefix)
				staged, err := st.StageOriginal(ctx, blobs, body, sha, size)
				if err != nil {
					return err
				}
				o.originals[sha] = staged
				return nil
			case name == "rows.jsonl" && meta.Kind == field.KindBundle:
				o.rows, err = store.ReadFieldRows(body, maxBundleRows)
				return err
			case name == "ack.json" && meta.Kind == field.KindAck:
				var a ackDoc
				if err := json.NewDecoder(io.LimitReader(body, 64<<20)).Decode(&a); err != nil {
					return fmt.Errorf("ack.json: %w", err)
				}
				o.ack = a.Bundles
				return nil
			}
			return fmt.Errorf("a %s does not hold %s", meta.Kind, name)
		})
		payload.Close()
		ready = append(ready, o)
		if err != nil {
			discard()
			return fmt.Errorf("%s %s (%s): %w; nothing imported", m.kind, m.id, partNames(m), err)
		}
		if o.meta.ID != m.id || o.meta.Kind != m.kind || o.meta.From != m.from || o.meta.To != field.SignKeyText(self.Public().Sign) {
			discard()
			return fmt.Errorf("%s %s (%s): its contents belong to another message; nothing imported", m.kind, m.id, partNames(m))
		}
	}
	refresh := false
	for i, o := range ready {
		d := devices[o.m.kind+"/"+o.m.id]
		if o.m.kind == field.KindAck {
			n, err := st.AckBundles(ctx, store.ActorCLI, d.ID, o.ack)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "acknowledgement %s from %s: %d bundle(s) newly acknowledged; the next export leaves out what they carried\n", o.m.id, d.Name, n)
			continue
		}
		res := store.BundleResult{Replay: true}
		if !o.replay {
			res, err = st.ApplyBundle(ctx, store.ActorCLI, d, o.m.id, o.meta.MadeAt, o.rows, blobs, o.originals)
		}
		if err != nil {
			for _, later := range ready[i+1:] {
				store.DiscardStaged(blobs, later.originals, nil)
			}
			return fmt.Errorf("bundle %s: %w; nothing of it imported", o.m.id, err)
		}
		if res.Replay {
			fmt.Fprintf(stdout, "bundle %s from %s was imported before: nothing changed\n", o.m.id, d.Name)
		} else {
			fmt.Fprintf(stdout, "bundle %s from %s: %d new, %d already here, %d updated, %d unchanged, %d conflict(s)\n", o.m.id, d.Name, res.New, res.Matched, res.Updated, res.Unchanged, res.Conflicts)
			refresh = refresh || res.New > 0 || res.Updated > 0
		}
		if ackOut != "" {
			if err := writeAck(ctx, st, self, d, ackOut, 0, false, stdout); err != nil {
				return err
			}
		}
	}
	if refresh {
		if _, err := st.RefreshPublic(ctx); err != nil {
			return fmt.Errorf("the bundle is in; refreshing the public list failed (it is refreshed at the next change or start): %w", err)
		}
	}
	return nil
}

func firstIndex(m *message) int {
	for i := range m.parts {
		return i
	}
	return 0
}

func partNames(m *message) string {
	idx := make([]int, 0, len(m.parts))
	for i := range m.parts {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	names := make([]string, len(idx))
	for i, n := range idx {
		names[i] = m.parts[n].file
	}
	return strings.Join(names, ", ")
}

func readPartHeader(file string) (*field.Header, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return field.ReadHeader(bufio.NewReader(f))
}

// joinParts checks every part's body against its signed hash while
// joining them, in order, into one file, which it returns open at its start.
func joinParts(m *message, into string) (*os.File, error) {
	out, err := os.OpenFile(into, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	for i := 1; i <= m.count; i++ {
		p := m.parts[i]
		if err := copyBody(p, out); err != nil {
			out.Close()
			return nil, fmt.Errorf("%s: part %d/%d: %w: refused, nothing imported", p.file, i, m.count, err)
		}
	}
	if _, err := out.Seek(0, io.SeekStart); err != nil {
		out.Close()
		return nil, err
	}
	return out, nil
}

func copyBody(p partFile, w io.Writer) error {
	f, err := os.Open(p.file)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	h, err := field.ReadHeader(r)
	if err != nil {
		return err
	}
	if h.SHA256 != p.h.SHA256 || h.Size != p.h.Size {
		return errors.New("changed while it was read")
	}
	return field.ReadBody(r, h, w)
}

// ackDoc is an acknowledgement's content.
type ackDoc struct {
	Bundles []string `json:"bundles"`
}

// writeAck writes, for field device d, an acknowledgement of every bundle
// applied from it.
func writeAck(ctx context.Context, st *store.Store, self *field.Identity, d store.Device, out string, partSize int64, armor bool, stdout io.Writer) error {
	if d.Role != store.RoleField {
		return fmt.Errorf("%s is not a field device", d.Name)
	}
	to, err := field.ParsePublic(field.PublicPrefix + d.SignKey + ":" + d.Recipient)
	if err != nil {
		return err
	}
	ids, err := st.BundlesReceived(ctx, d.ID)
	if err != nil {
		return err
	}
	body, err := json.Marshal(ackDoc{Bundles: ids})
	if err != nil {
		return err
	}
	files, err := writeMessage(self, to, field.KindAck, store.NewID(), out, partSize, armor, []field.Entry{{Name: "ack.json", Size: int64(len(body)), Body: strings.NewReader(string(body))}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "acknowledgement of %d bundle(s) for %s written to %s\n", len(ids), d.Name, strings.Join(files, ", "))
	return nil
}
