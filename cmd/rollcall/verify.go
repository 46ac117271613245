package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"rollcall/internal/publish"
)

func init() {
	register("verify", "check a downloaded snapshot, or a mirror folder received by hand, against its signature", runVerify)
}

const verifyHelp = `verify [--key KEYFILE] [--sig SIGFILE] SNAPSHOT.json
       verify [--key KEYFILE] MIRROR-FOLDER

A snapshot's signature is read from SNAPSHOT.json.sig unless --sig names it.
A mirror folder (made with 'rollcall mirror --sign') is checked against its
signed ` + publish.ManifestFile + `: each changed, missing or added file is named.
The key is --key (the snapshot-signing.pub the site publishes), else the data
directory's; for a folder, else the key inside it, whose fingerprint you then
compare with the one the site or someone you trust gave you.`

func runVerify(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "verify", verifyHelp, stderr)
	keyFile := fs.String("key", "", "the public key file (default: the data directory's key)")
	sigFile := fs.String("sig", "", "the signature file of a snapshot (default: FILE.sig)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errUsage
	}
	file := rest[0]
	pub, err := verifyKey(g, *keyFile)
	if err != nil {
		return err
	}
	if info, err := os.Stat(file); err == nil && info.IsDir() {
		return verifyMirror(file, pub, stdout)
	}
	if pub == nil {
		return errors.New("no public key: give --key with the snapshot-signing.pub that the site publishes")
	}
	if *sigFile == "" {
		*sigFile = file + ".sig"
	}
	body, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	sig, err := os.ReadFile(*sigFile)
	if err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	snap, err := publish.Verify(body, sig, pub)
	if err != nil {
		return fmt.Errorf("%s: NOT VALID: %w", file, err)
	}
	fmt.Fprintf(stdout, "%s: valid signature by %s\n", file, publish.Fingerprint(pub))
	fmt.Fprintf(stdout, "snapshot %s: counts as of %s as known at %s; %d people\n", snap.Slug, snap.AsOf, snap.KnownAt, len(snap.People))
	return nil
}

// verifyKey is --key's public key, else the data directory's, else nil.
func verifyKey(g *globals, keyFile string) (ed25519.PublicKey, error) {
	if keyFile == "" {
		return publish.PublicKey(g.data)
	}
	b, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	pub, err := publish.ParsePublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyFile, err)
	}
	return pub, nil
}

// verifyMirror checks a mirror folder and names every file that differs
// from what was signed.
func verifyMirror(dir string, pub ed25519.PublicKey, stdout io.Writer) error {
	inside := pub == nil
	if inside {
		b, err := os.ReadFile(filepath.Join(dir, "data", publish.PublicKeyFile))
		if err != nil {
			return fmt.Errorf("%s: no key to check it with: give --key with the snapshot-signing.pub that the site publishes", dir)
		}
		if pub, err = publish.ParsePublicKey(b); err != nil {
			return fmt.Errorf("%s: the key inside the folder: %w", dir, err)
		}
	}
	c, err := publish.VerifyMirror(dir, pub)
	if err != nil {
		return fmt.Errorf("%s: NOT VALID: %w", dir, err)
	}
	for _, p := range c.Changed {
		fmt.Fprintf(stdout, "changed: %s\n", p)
	}
	for _, p := range c.Missing {
		fmt.Fprintf(stdout, "missing: %s\n", p)
	}
	for _, p := range c.Extra {
		fmt.Fprintf(stdout, "added:   %s\n", p)
	}
	if !c.OK() {
		return fmt.Errorf("%s: NOT VALID: %d changed, %d missing, %d added of the %d files signed by %s", dir, len(c.Changed), len(c.Missing), len(c.Extra), c.Files, publish.Fingerprint(pub))
	}
	fmt.Fprintf(stdout, "%s: all %d files as signed by %s\n", dir, c.Files, publish.Fingerprint(pub))
	if inside {
		fmt.Fprintf(stdout, "checked with the key that came inside the folder: this proves the files are as that key signed them, not who holds it; compare %s with the fingerprint on the site's verify page or from someone you trust, or give --key\n", publish.Fingerprint(pub))
	}
	return nil
}
