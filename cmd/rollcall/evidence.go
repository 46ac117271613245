package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"rollcall/internal/evidence"
	"rollcall/internal/store"
)

func init() {
	register("evidence", "photos, videos and documents kept as evidence: add, list, custody, verify", runEvidence)
}

const evidenceHelp = `Subcommands:
  evidence add FILE... [--person ID] [--incident ID] [--claim ID] [--json]
                     keep each file as it is (encrypted, hashed on the way);
                     prints each item's id and SHA-256. A file already kept
                     (same SHA-256) is linked, not stored twice
  evidence list [--person ID | --incident ID | --claim ID] [--json]
  evidence show ID [--json]
                     the item: hashes, type, links and its metadata (sealed;
                     reading it is a custody entry)
  evidence custody ID [--json]
                     the item's chain of custody (its audit-log entries)
  evidence derive ID [--redact X,Y,W,H]... [--pixelate] --out FILE
                     make a public copy: pictures re-encoded from their pixels
                     (no metadata block survives), videos and audio through
                     ffmpeg without metadata; marked areas filled black
                     (--pixelate: coarse blocks; videos: pixelated and
                     blurred). Kept unpublished; prints its id and SHA-256
  evidence publish COPY --reason TEXT
                     show a public copy on the public pages of the item's
                     persons (refused while one of them is withheld)
  evidence export ID... | --person ID --out DIR|FILE.zip
                     write a BagIt bag (RFC 8493) for a court or a UN
                     mechanism: the originals as received (decrypted: keep
                     the bag safe), their metadata, their custody entries
                     with the audit chain head they verify against, and an
                     ed25519 signature (the snapshot key) over the tag
                     manifest. Each export is a custody entry
  evidence verify [ID... | --all]
                     read every original back, decrypt and re-hash it; names
                     each mismatch or missing file (exit status 1 if any)

Originals are kept in DATA/evidence (or --evidence DIR, or --evidence
s3://BUCKET/PREFIX?endpoint=HOST:PORT for S3-compatible object storage, with
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment), encrypted with age to
the evidence key (sealed under the data key) and to the offline recipients
added with 'rollcall key recipients add'. See docs/evidence.md.`

// multiFlag collects a flag given several times.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// evidenceFlag adds --evidence (where originals are kept).
func evidenceFlag(fs *flag.FlagSet) *string {
	return fs.String("evidence", "", "where evidence files are kept: a directory (default DATA/evidence), or S3-compatible object storage, s3://BUCKET/PREFIX?endpoint=HOST:PORT[&region=R] (credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; only ciphertext is sent)")
}

// openBlobs opens the evidence store that spec names (default
// DATA/evidence).
func openBlobs(g *globals, spec string) (evidence.Store, error) {
	if spec == "" {
		spec = filepath.Join(g.data, "evidence")
	}
	return evidence.OpenStore(spec, evidence.LocalTemp(g.data))
}

func runEvidence(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := newFlags(g, "evidence", "evidence add|list|show|custody|verify|derive|publish|export [options]\n\n"+evidenceHelp, stderr)
	passFD := passphraseFlag(fs)
	where := evidenceFlag(fs)
	var persons, incidents, claims multiFlag
	fs.Var(&persons, "person", "link to this person (add; may be repeated); list: only items linked to it")
	fs.Var(&incidents, "incident", "link to this incident (add; may be repeated)")
	fs.Var(&claims, "claim", "link to this claim (add; may be repeated)")
	asJSON := fs.Bool("json", false, "print JSON")
	all := fs.Bool("all", false, "verify every item")
	var redact multiFlag
	fs.Var(&redact, "redact", "an area to hide, X,Y,W,H in pixels of the picture as shown (derive; may be repeated)")
	pixelate := fs.Bool("pixelate", false, "pixelate marked areas instead of filling them black (derive, pictures)")
	outPath := fs.String("out", "", "write the public copy here (derive); the bag: a new directory, or FILE.zip (export)")
	reason := fs.String("reason", "", "why this copy is made public (publish)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	var links []store.EvidenceLink
	for _, p := range persons {
		links = append(links, store.EvidenceLink{Kind: "person", TargetID: p})
	}
	for _, p := range incidents {
		links = append(links, store.EvidenceLink{Kind: "incident", TargetID: p})
	}
	for _, p := range claims {
		links = append(links, store.EvidenceLink{Kind: "claim", TargetID: p})
	}
	switch sub {
	case "add", "list", "show", "custody", "verify", "derive", "publish", "export":
	case "", "help":
		fs.Usage()
		return errUsage
	default:
		return fmt.Errorf("unknown subcommand %q (add, list, show, custody, verify, derive, publish, export)", sub)
	}
	st, _, err := openWithKeys(ctx, g, *passFD)
	if err != nil {
		return err
	}
	defer st.Close()
	blobs, err := openBlobs(g, *where)
	if err != nil {
		return err
	}
	switch sub {
	case "add":
		if len(pos) == 0 {
			return errors.New("no file given")
		}
		return evidenceAdd(ctx, st, blobs, pos, links, *asJSON, stdout)
	case "list":
		var only *store.EvidenceLink
		if len(links) > 1 {
			return errors.New("list: give one --person, --incident or --claim")
		}
		if len(links) == 1 {
			only = &links[0]
		}
		items, err := st.EvidenceItems(ctx, only)
		if err != nil {
			return err
		}
		if *asJSON {
			out := []itemJSON{}
			for _, it := range items {
				out = append(out, toItemJSON(it))
			}
			return printJSON(stdout, out)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSHA256\tSIZE\tTYPE\tRECEIVED\tCHECKED")
		for _, it := range items {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", it.ID, it.SHA256, it.Size, it.MediaType, it.ReceivedAt.Format(time.RFC3339), it.Checked)
		}
		return tw.Flush()
	case "derive":
		if len(pos) != 1 || *outPath == "" {
			return errors.New("derive: give one item id and --out FILE")
		}
		var areas []evidence.Rect
		for _, s := range redact {
			a, err := evidence.ParseRect(s)
			if err != nil {
				return err
			}
			areas = append(areas, a)
		}
		how := evidence.Fill
		if *pixelate {
			how = evidence.Pixelate
		}
		d, err := st.DeriveEvidence(ctx, blobs, blobs.TempDir(), store.ActorCLI, pos[0], areas, how)
		if err != nil {
			return err
		}
		if err := writeDerivative(ctx, st, blobs, d, *outPath); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s  %s  %s (public copy of %s, original sha256 %s; not published)\n", d.ID, d.SHA256, *outPath, d.ItemID, d.OriginalSHA256)
		return nil
	case "export":
		if *outPath == "" {
			return errors.New("export: give --out DIR or --out FILE.zip")
		}
		items, err := exportItems(ctx, st, pos, persons)
		if err != nil {
			return err
		}
		head, err := exportBag(ctx, g, st, blobs, items, *outPath)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: a bag of %d item(s); audit chain head %s; signed by %s\n", *outPath, len(items), head, signingFingerprint(g))
		return nil
	case "publish":
		if len(pos) != 1 {
			return errors.New("publish: give one public copy's id")
		}
		if err := st.PublishEvidenceDerivative(ctx, store.ActorCLI, pos[0], *reason); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "public copy %s published\n", pos[0])
		return nil
	case "show":
		if len(pos) != 1 {
			return errors.New("show: give one item id")
		}
		return evidenceShow(ctx, st, pos[0], *asJSON, stdout)
	case "custody":
		if len(pos) != 1 {
			return errors.New("custody: give one item id")
		}
		if _, err := st.EvidenceItem(ctx, pos[0]); err != nil {
			return fmt.Errorf("item %s: %w", pos[0], err)
		}
		entries, err := st.EvidenceCustody(ctx, pos[0])
		if err != nil {
			return err
		}
		if *asJSON {
			out := []custodyJSON{}
			for _, e := range entries {
				out = append(out, toCustodyJSON(e))
			}
			return printJSON(stdout, out)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEQ\tAT\tACTOR\tEVENT\tDETAIL\tHASH")
		for _, e := range entries {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.At.Format(time.RFC3339), e.Actor, strings.TrimPrefix(e.Action, "evidence."), e.Detail, e.Hash)
		}
		return tw.Flush()
	case "verify":
		if *all == (len(pos) > 0) {
			return errors.New("verify: give item ids or --all")
		}
		checks, err := st.VerifyEvidence(ctx, blobs, store.ActorCLI, pos)
		if err != nil {
			return err
		}
		bad := 0
		for _, c := range checks {
			if c.Result != store.FixityOK {
				bad++
				fmt.Fprintf(stdout, "%s %s: %s\n", strings.ToUpper(c.Result), c.Item.ID, c.Detail)
			}
		}
		fmt.Fprintf(stdout, "%d checked, %d intact, %d not\n", len(checks), len(checks)-bad, bad)
		if bad > 0 {
			return fmt.Errorf("%d of %d originals failed the fixity check", bad, len(checks))
		}
		return nil
	}
	return nil
}

type itemJSON struct {
	ID        string `json:"id"`
	SHA256    string `json:"sha256"`
	MD5       string `json:"md5"`
	Size      int64  `json:"size"`
	Type      string `json:"type"`
	Received  string `json:"received_at"`
	Checked   string `json:"checked,omitempty"`
	File      string `json:"file,omitempty"`
	Duplicate bool   `json:"duplicate,omitempty"`
}

func toItemJSON(it store.EvidenceItem) itemJSON {
	return itemJSON{ID: it.ID, SHA256: it.SHA256, MD5: it.MD5, Size: it.Size, Type: it.MediaType, Received: it.ReceivedAt.Format(time.RFC3339Nano), Checked: it.Checked}
}

type custodyJSON struct {
	Seq    int64  `json:"seq"`
	At     string `json:"at"`
	Actor  string `json:"actor"`
	Event  string `json:"event"`
	Detail string `json:"detail"`
	Prev   string `json:"prev_hash"`
	Hash   string `json:"hash"`
}

func toCustodyJSON(e store.AuditEntry) custodyJSON {
	return custodyJSON{e.Seq, e.At.Format(time.RFC3339Nano), e.Actor, strings.TrimPrefix(e.Action, "evidence."), e.Detail, e.PrevHash, e.Hash}
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func evidenceAdd(ctx context.Context, st *store.Store, blobs evidence.Blobs, files []string, links []store.EvidenceLink, asJSON bool, stdout io.Writer) error {
	var out []itemJSON
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		info, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		if !info.Mode().IsRegular() {
			f.Close()
			return fmt.Errorf("%s: not a regular file", path)
		}
		it, dup, err := st.IntakeEvidence(ctx, blobs, f, store.EvidenceIntake{
			Actor: store.ActorCLI, From: "cli", Name: filepath.Base(path), Links: links, Want: info.Size(),
		})
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w (nothing of it was kept)", path, err)
		}
		j := toItemJSON(it)
		j.File, j.Duplicate = path, dup
		out = append(out, j)
		if !asJSON {
			note := ""
			if dup {
				note = "  (already kept: linked, not stored again)"
			}
			fmt.Fprintf(stdout, "%s  %s  %s%s\n", it.ID, it.SHA256, path, note)
		}
	}
	if asJSON {
		return printJSON(stdout, out)
	}
	return nil
}

func evidenceShow(ctx context.Context, st *store.Store, id string, asJSON bool, stdout io.Writer) error {
	it, err := st.EvidenceItem(ctx, id)
	if err != nil {
		return fmt.Errorf("item %s: %w", id, err)
	}
	links, err := st.EvidenceLinks(ctx, id)
	if err != nil {
		return err
	}
	d, err := st.EvidenceDetails(ctx, store.ActorCLI, id)
	if err != nil {
		return err
	}
	if asJSON {
		ls := []string{}
		for _, l := range links {
			ls = append(ls, l.String())
		}
		return printJSON(stdout, struct {
			itemJSON
			Links   []string              `json:"links"`
			Details store.EvidenceDetails `json:"details"`
		}{toItemJSON(it), ls, d})
	}
	fmt.Fprintf(stdout, "item      %s\nsha256    %s\nmd5       %s\nsize      %d\ntype      %s\nreceived  %s from %s\nname      %s\n",
		it.ID, it.SHA256, it.MD5, it.Size, it.MediaType, it.ReceivedAt.Format(time.RFC3339), it.ReceivedBy, d.Name)
	for _, l := range links {
		fmt.Fprintf(stdout, "linked    %s\n", l)
	}
	copies, err := st.EvidenceDerivatives(ctx, id)
	if err != nil {
		return err
	}
	for _, c := range copies {
		state := "not published"
		if c.Published() {
			state = "published " + c.PublishedAt.Format(time.RFC3339) + ": " + c.PublishReason
		}
		fmt.Fprintf(stdout, "copy      %s  %s  %s  areas %q  %s\n", c.ID, c.SHA256, c.MediaType, c.Redactions, state)
	}
	if d.Metadata != nil {
		fmt.Fprintf(stdout, "metadata  (sealed; may identify who filmed)\n")
		for _, line := range evidence.MetadataLines(d.Metadata) {
			fmt.Fprintf(stdout, "  %s\n", line)
		}
	}
	return nil
}

// writeDerivative writes a public copy to path (through a temporary file
// renamed into place).
func writeDerivative(ctx context.Context, st *store.Store, blobs evidence.Blobs, d store.EvidenceDerivative, path string) error {
	r, err := st.OpenDerivative(ctx, blobs, d)
	if err != nil {
		return err
	}
	defer r.Close()
	tmp := path + ".part"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
