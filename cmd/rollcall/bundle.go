package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"rollcall/internal/evidence"
	"rollcall/internal/field"
	"rollcall/internal/store"
)

func init() {
	register("bundle", "exchange without a network: key, export, import, ack (docs/operations.md)", runBundle)
}

const bundleHelp = `Subcommands:
  bundle key      print this instance's identity, one line:
                  rollcall-device1:<ed25519 signing key>:<age recipient>
                  (give it to headquarters' 'rollcall device add', or to a
                  field instance's 'bundle export --to')
  bundle export --to IDENTITY --out FILE [--part-size SIZE] [--armor]
                  on a field instance: everything made here that headquarters
                  has not acknowledged, encrypted to IDENTITY (headquarters'
                  'bundle key') and signed by this instance; --part-size (e.g.
                  20M, 512K) cuts it into parts FILE.1-of-N …; --armor writes
                  text-only parts (base64) for channels that carry only text
  bundle import FILE...
                  at headquarters: check every part's signature against the
                  registered devices, say which parts are missing, and apply
                  the bundle in one transaction (again: nothing changes);
                  --ack OUT also writes the acknowledgement for its device.
                  On a field instance: read an acknowledgement, so that the
                  next export leaves out what headquarters has
  bundle ack --device NAME --out FILE [--armor]
                  at headquarters: an acknowledgement of every bundle applied
                  from the device, encrypted to it and signed by headquarters
  bundle conflicts
                  at headquarters: field versions kept beside headquarters' own
                  rows (the same record corrected on both sides)`

func runBundle(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := newFlags(g, "bundle", "bundle key|export|import|ack|conflicts …\n\n"+bundleHelp, stderr)
	passFD := passphraseFlag(fs)
	noPass := fs.Bool("no-passphrase", false, "key, export: go on although this field instance's data key is not under a passphrase")
	to := fs.String("to", "", "export: headquarters' identity (the line its 'bundle key' printed)")
	out := fs.String("out", "", "export, ack: the file to write (parts: FILE.1-of-N …)")
	partSize := fs.String("part-size", "", "export, ack: cut into parts of at most this size (bytes, or with K, M, G)")
	armor := fs.Bool("armor", false, "export, ack: text-only parts (base64 between headers)")
	ackOut := fs.String("ack", "", "import at headquarters: also write the acknowledgement for the bundle's device to this file")
	deviceName := fs.String("device", "", "ack: the field device to acknowledge")
	where := evidenceFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	size, err := parseSize(*partSize)
	if err != nil {
		return err
	}
	run := func(f func(st *store.Store, id *field.Identity) error) error {
		st, keys, err := openWithKeys(ctx, g, *passFD)
		if err != nil {
			return err
		}
		defer st.Close()
		if (sub == "export" || sub == "key") && !keys.Sealed() {
			// A field laptop may be taken: its data key should need a passphrase.
			switch {
			case isFieldInstance(g) && !*noPass:
				return errors.New("this field instance's data key is not under a passphrase: run 'rollcall key passphrase' first, or give --no-passphrase to go on without one")
			case isFieldInstance(g):
				fmt.Fprintln(stderr, "warning: --no-passphrase: this field instance's data key is plain on the disk; run 'rollcall key passphrase' as soon as you can")
			case sub == "export":
				fmt.Fprintln(stderr, "warning: this instance's data key is not under a passphrase; on a field laptop run 'rollcall key passphrase' now")
			}
		}
		id, err := instanceIdentity(ctx, st)
		if err != nil {
			return err
		}
		return f(st, id)
	}
	switch {
	case sub == "key" && len(pos) == 0:
		return run(func(st *store.Store, id *field.Identity) error {
			fmt.Fprintln(stdout, id.Public())
			return nil
		})
	case sub == "export" && len(pos) == 0 && *to != "" && *out != "":
		hq, err := field.ParsePublic(*to)
		if err != nil {
			return err
		}
		return run(func(st *store.Store, id *field.Identity) error {
			blobs, err := openBlobs(g, *where)
			if err != nil {
				return err
			}
			return exportBundle(ctx, st, blobs, id, hq, *out, size, *armor, stdout)
		})
	case sub == "import" && len(pos) > 0:
		return run(func(st *store.Store, id *field.Identity) error {
			blobs, err := openBlobs(g, *where)
			if err != nil {
				return err
			}
			return importParts(ctx, st, blobs, id, pos, *ackOut, stdout)
		})
	case sub == "ack" && len(pos) == 0 && *deviceName != "" && *out != "":
		return run(func(st *store.Store, id *field.Identity) error {
			d, err := st.DeviceByName(ctx, *deviceName)
			if err != nil {
				return fmt.Errorf("no device named %q (see 'rollcall device list')", *deviceName)
			}
			return writeAck(ctx, st, id, d, *out, size, *armor, stdout)
		})
	case sub == "conflicts" && len(pos) == 0:
		st, err := g.open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		list, err := st.FieldConflicts(ctx)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(stdout, "no conflicts")
		}
		for _, c := range list {
			fmt.Fprintf(stdout, "%s\t%s\tfield %s\there %s\tbundle %s\t%s\n", c.Device, c.Table, c.FieldID, c.LocalID, c.Bundle, c.ReceivedAt.Format(time.RFC3339))
		}
		return nil
	}
	fs.Usage()
	return errUsage
}

// instanceIdentity opens this instance's identity, making it at first use.
func instanceIdentity(ctx context.Context, st *store.Store) (*field.Identity, error) {
	text, err := st.InstanceIdentity(ctx, func() (string, error) {
		id, err := field.NewIdentity()
		if err != nil {
			return "", err
		}
		return id.String(), nil
	})
	if err != nil {
		return nil, err
	}
	return field.ParseIdentity(text)
}

// parseSize reads 1048576, 512K, 20M or 1G ("" is 0: one part).
func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	mult := int64(1)
	u := strings.ToUpper(strings.TrimSuffix(strings.TrimSuffix(s, "B"), "b"))
	switch {
	case strings.HasSuffix(u, "K"):
		mult, u = 1<<10, strings.TrimSuffix(u, "K")
	case strings.HasSuffix(u, "M"):
		mult, u = 1<<20, strings.TrimSuffix(u, "M")
	case strings.HasSuffix(u, "G"):
		mult, u = 1<<30, strings.TrimSuffix(u, "G")
	}
	n, err := strconv.ParseInt(u, 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("--part-size %q: give bytes, or a number with K, M or G", s)
	}
	if n*mult < 1024 {
		return 0, fmt.Errorf("--part-size %q: at least 1K", s)
	}
	return n * mult, nil
}

// headquartersDevice finds headquarters among the devices, registering it
// (audited) the first time a bundle is made for it.
func headquartersDevice(ctx context.Context, st *store.Store, hq field.Public) (store.Device, error) {
	d, err := st.DeviceByKey(ctx, field.SignKeyText(hq.Sign))
	if errors.Is(err, store.ErrUnknownDevice) {
		name := "headquarters"
		for i := 2; ; i++ {
			if _, err := st.DeviceByName(ctx, name); errors.Is(err, store.ErrUnknownDevice) {
				break
			}
			name = fmt.Sprintf("headquarters-%d", i)
		}
		return st.AddDevice(ctx, store.ActorCLI, name, store.RoleHeadquarters, field.SignKeyText(hq.Sign), hq.Age.String())
	}
	if err != nil {
		return d, err
	}
	if d.Role != store.RoleHeadquarters || d.Revoked() {
		return d, fmt.Errorf("that identity is device %s here (%s%s), not a headquarters to send to", d.Name, d.Role, map[bool]string{true: ", revoked"}[d.Revoked()])
	}
	return d, nil
}

// writeMessage seals entries to the receiver and writes them as signed
// parts next to out (out itself when there is one part), each file whole
// or not at all. It returns the files written.
func writeMessage(id *field.Identity, to field.Public, kind, msgID, out string, partSize int64, armor bool, entries []field.Entry) ([]string, error) {
	work, err := os.MkdirTemp(filepath.Dir(out), ".rollcall-bundle-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	payload, err := os.OpenFile(filepath.Join(work, "payload"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	defer payload.Close()
	meta := field.Meta{Kind: kind, ID: msgID, From: field.SignKeyText(id.Public().Sign), To: field.SignKeyText(to.Sign), MadeAt: time.Now().UTC()}
	if err := field.Seal(payload, to.Age, meta, entries); err != nil {
		return nil, err
	}
	st, err := payload.Stat()
	if err != nil {
		return nil, err
	}
	var staged, files []string
	_, err = field.Split(payload, st.Size(), partSize, kind, msgID, id, armor, func(i, n int) (io.WriteCloser, error) {
		name := out
		if n > 1 {
			name = fmt.Sprintf("%s.%d-of-%d", out, i, n)
		}
		files = append(files, name)
		tmp := filepath.Join(work, fmt.Sprintf("part-%d", i))
		staged = append(staged, tmp)
		return os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	})
	if err != nil {
		return nil, err
	}
	for i, tmp := range staged {
		if err := os.Rename(tmp, files[i]); err != nil {
			return nil, err
		}
	}
	return files, nil
}

func exportBundle(ctx context.Context, st *store.Store, blobs evidence.Blobs, id *field.Identity, hq field.Public, out string, partSize int64, armor bool, stdout io.Writer) error {
	d, err := headquartersDevice(ctx, st, hq)
	if err != nil {
		return err
	}
	rows, err := os.CreateTemp(filepath.Dir(out), ".rollcall-rows-")
	if err != nil {
		return err
	}
	defer os.Remove(rows.Name())
	defer rows.Close()
	sent, err := st.ExportFieldRows(ctx, rows)
	if err != nil {
		return err
	}
	if len(sent) == 0 {
		fmt.Fprintln(stdout, "nothing to send: headquarters has acknowledged everything made here")
		return nil
	}
	size, err := rows.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := rows.Seek(0, io.SeekStart); err != nil {
		return err
	}
	bundleID := store.NewID()
	entries := []field.Entry{{Name: "rows.jsonl", Size: size, Body: rows}}
	for _, r := range sent {
		if r.Table != "evidence_items" {
			continue
		}
		item, err := st.EvidenceItem(ctx, r.ID)
		if err != nil {
			return err
		}
		itemID := r.ID
		entries = append(entries, field.Entry{Name: field.OriginalPrefix + item.SHA256, Size: item.Size, Open: func() (io.ReadCloser, error) {
			_, rc, err := st.OpenEvidenceForExport(ctx, blobs, store.ActorCLI, itemID, "bundle="+bundleID)
			return rc, err
		}})
	}
	files, err := writeMessage(id, hq, field.KindBundle, bundleID, out, partSize, armor, entries)
	if err != nil {
		return err
	}
	if err := st.RecordBundleSent(ctx, store.ActorCLI, bundleID, d.ID, time.Now(), sent); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "bundle %s: %d rows for %s in %d part(s):\n", bundleID, len(sent), d.Name, len(files))
	for _, f := range files {
		fmt.Fprintln(stdout, "  "+f)
	}
	return nil
}
