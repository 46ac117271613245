package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"rollcall/internal/publish"
	"rollcall/internal/web"
)

func init() {
	register("mirror", "write the whole public site as static files with relative links", runMirror)
}

func runMirror(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "mirror", "mirror --out DIR [--sign] [--zip]\n\n--sign adds "+publish.ManifestFile+" (every file with its SHA-256) and its\nsignature by the snapshot-signing key; 'rollcall verify DIR' checks a copy.", stderr)
	out := fs.String("out", "", "the folder to write the site into (required)")
	zip := fs.Bool("zip", false, "also write DIR.zip")
	sign := fs.Bool("sign", false, "add a manifest of every file signed with the snapshot-signing key")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return errUsage
	}
	start := time.Now()
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.RefreshPublic(ctx); err != nil {
		return err
	}
	site, err := web.New(st, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	roots := []string{"/data/rollcall-people.csv", "/data/rollcall-people-spreadsheet.csv", "/data/rollcall-people.json", "/api/v1/openapi.json", "/api/v1/snapshots"}
	for _, l := range site.Languages() {
		roots = append(roots, "/"+l+"/", "/"+l+"/people/", "/"+l+"/feed.atom", "/"+l+"/embed/counter", "/"+l+"/embed/counter.svg")
	}
	// Ids merged away get a page of their own that leads to the survivor.
	redirects, err := st.Redirects(ctx, 1<<30)
	if err != nil {
		return err
	}
	for _, red := range redirects {
		for _, l := range site.Languages() {
			roots = append(roots, "/"+l+"/people/"+red.PersonID)
		}
	}
	snaps, err := st.Snapshots(ctx)
	if err != nil {
		return err
	}
	if len(snaps) > 0 {
		roots = append(roots, "/data/snapshot-signing.pub")
	}
	for _, sn := range snaps {
		roots = append(roots, web.SnapshotURL(sn.Slug), web.SnapshotURL(sn.Slug)+".sig")
	}
	sum, err := publish.Mirror(ctx, site, *out, publish.MirrorOptions{Roots: roots, Languages: site.Languages()})
	if err != nil {
		return err
	}
	signed := 0
	if *sign {
		if signed, err = signMirror(g.data, *out); err != nil {
			return err
		}
	}
	where, err := filepath.Abs(*out)
	if err != nil {
		where = *out
	}
	if err := st.Audit(ctx, cliActor(), "mirror", where, fmt.Sprintf("files=%d broken=%d zip=%t signed=%d", sum.Files, len(sum.Broken), *zip, signed)); err != nil {
		return fmt.Errorf("mirror written, but the audit entry was not: %w", err)
	}
	fmt.Fprintf(stdout, "mirror: %d files, %.1f MB in %s (%.1f s)\n", sum.Files, float64(sum.Bytes)/1e6, *out, time.Since(start).Seconds())
	if *sign {
		fmt.Fprintf(stdout, "signed: %s lists %d files\n", publish.ManifestFile, signed)
	}
	if len(sum.Broken) > 0 {
		fmt.Fprintf(stderr, "%d links lead nowhere:\n  %s\n", len(sum.Broken), strings.Join(sum.Broken, "\n  "))
	}
	if *zip {
		archive := strings.TrimRight(*out, string(os.PathSeparator)) + ".zip"
		if err := publish.ZipDir(*out, archive); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "zip: %s\n", archive)
	}
	if len(sum.Broken) > 0 {
		return fmt.Errorf("%d broken links", len(sum.Broken))
	}
	return nil
}

// signMirror signs the mirror in out with the snapshot-signing key (made
// at first use), putting the public key in the mirror's data folder (where
// the site serves it) when the site did not.
func signMirror(dataDir, out string) (int, error) {
	key, err := publish.SigningKey(dataDir)
	if err != nil {
		return 0, err
	}
	pubFile := filepath.Join(out, "data", publish.PublicKeyFile)
	if _, err := os.Stat(pubFile); os.IsNotExist(err) {
		if err := os.MkdirAll(filepath.Dir(pubFile), 0o755); err != nil {
			return 0, err
		}
		if err := os.WriteFile(pubFile, publish.EncodePublicKey(key.Public().(ed25519.PublicKey)), 0o644); err != nil {
			return 0, err
		}
	}
	return publish.SignMirror(out, key)
}
