package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"

	"rollcall/internal/publish"
)

func init() {
	register("verify", "check a downloaded snapshot against its signature and the public key", runVerify)
}

func runVerify(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "verify", "verify [--key KEYFILE] [--sig SIGFILE] SNAPSHOT.json\n\nThe signature is read from SNAPSHOT.json.sig unless --sig names it. The key is\n--key (the snapshot-signing.pub the site publishes), else the data directory's.", stderr)
	keyFile := fs.String("key", "", "the public key file (default: the data directory's key)")
	sigFile := fs.String("sig", "", "the signature file (default: FILE.sig)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errUsage
	}
	file := rest[0]
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
	var pub ed25519.PublicKey
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return err
		}
		if pub, err = publish.ParsePublicKey(b); err != nil {
			return fmt.Errorf("%s: %w", *keyFile, err)
		}
	} else if pub, err = publish.PublicKey(g.data); err != nil {
		return err
	} else if pub == nil {
		return errors.New("no public key: give --key with the snapshot-signing.pub that the site publishes")
	}
	snap, err := publish.Verify(body, sig, pub)
	if err != nil {
		return fmt.Errorf("%s: NOT VALID: %w", file, err)
	}
	fmt.Fprintf(stdout, "%s: valid signature by %s\n", file, publish.Fingerprint(pub))
	fmt.Fprintf(stdout, "snapshot %s: counts as of %s as known at %s; %d people\n", snap.Slug, snap.AsOf, snap.KnownAt, len(snap.People))
	return nil
}
