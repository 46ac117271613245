package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"

	"rollcall/internal/backup"
	"rollcall/internal/store"
)

func init() {
	register("backup", "a consistent, encrypted backup while the server runs; 'backup verify FILE'", runBackup)
	register("restore", "restore a backup into an empty data directory (and empty database)", runRestore)
}

const backupHelp = `backup --out FILE      the database (a consistent snapshot), the sealed data
                       key and the evidence originals, encrypted to the backup
                       recipients ('rollcall key recipients add --backup AGE1…')
backup verify FILE --identity KEYFILE
                       decrypt and check every entry against the manifest`

// inBackup says which files of the data directory a backup carries: all
// but the live database (the snapshot stands for it) and files half-written.
func inBackup(rel string) bool {
	base := filepath.Base(rel)
	switch {
	case rel == "rollcall.db", rel == "rollcall.db-wal", rel == "rollcall.db-shm", rel == "rollcall.db-journal":
		return false
	case strings.HasSuffix(base, ".tmp"), strings.HasPrefix(base, ".tmp"):
		return false
	}
	return true
}

func runBackup(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "backup", "backup --out FILE | backup verify FILE --identity KEYFILE\n\n"+backupHelp, stderr)
	out := fs.String("out", "", "the backup file to write (written whole or not at all)")
	identity := fs.String("identity", "", "an age identity file holding a backup recipient's private key (for verify)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 && pos[0] == "verify" {
		if len(pos) != 2 || *identity == "" {
			return errors.New("backup verify: give one FILE and --identity KEYFILE")
		}
		m, err := readBackup(pos[1], *identity, "")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: intact, made %s, %d files, audit head %s\n", pos[1], m.CreatedAt.UTC().Format(time.RFC3339), len(m.Files), m.AuditHead)
		return nil
	}
	if len(pos) > 0 || *out == "" {
		fs.Usage()
		return errUsage
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	names, err := st.BackupRecipients(ctx)
	if err != nil {
		return err
	}
	var recipients []age.Recipient
	for _, n := range names {
		r, err := age.ParseX25519Recipient(n)
		if err != nil {
			return err
		}
		recipients = append(recipients, r)
	}
	if len(recipients) == 0 {
		return errors.New("no backup recipients: add one with 'rollcall key recipients add --backup AGE1…' (its private half kept off the server)")
	}
	work, err := os.MkdirTemp(filepath.Dir(*out), ".rollcall-backup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	snapshot := filepath.Join(work, "snapshot")
	head, counts, err := st.Snapshot(ctx, snapshot)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	tmp := filepath.Join(work, "backup.age")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	m := backup.Manifest{CreatedAt: time.Now().UTC(), SnapshotKind: st.SnapshotKind(), AuditHead: head.String(), Counts: counts}
	err = backup.Write(f, recipients, snapshot, g.data, inBackup, m)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s (audit head %s), encrypted to %d recipient(s)\n", *out, head, len(recipients))
	return nil
}

func readBackup(file, identity, into string) (*backup.Manifest, error) {
	ids, err := backup.ParseIdentities(identity)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := backup.Read(f, ids, into)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return m, nil
}

func runRestore(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "restore", "restore FILE --identity KEYFILE --into DIR [--db EMPTY-DATABASE-URL]", stderr)
	into := fs.String("into", "", "the data directory to restore into: new or empty")
	identity := fs.String("identity", "", "an age identity file holding a backup recipient's private key")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *into == "" || *identity == "" {
		fs.Usage()
		return errUsage
	}
	if entries, err := os.ReadDir(*into); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty: a restore never overwrites; give a new or empty directory", *into)
	}
	parent := filepath.Dir(filepath.Clean(*into))
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return err
	}
	work, err := os.MkdirTemp(parent, ".rollcall-restore-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	m, err := readBackup(pos[0], *identity, work)
	if err != nil {
		return err
	}
	// The directory is filled beside its place and renamed into it last,
	// so that a restore cut short leaves no half-restored data directory.
	staged := filepath.Join(work, "data")
	if err := os.MkdirAll(staged, 0o700); err != nil {
		return err
	}
	st, err := store.RestoreSnapshot(ctx, m.SnapshotKind, filepath.Join(work, filepath.FromSlash(backup.SnapshotEntry)), staged, g.db)
	if err != nil {
		return err
	}
	head, err := st.AuditHead(ctx)
	var counts map[string]int64
	if err == nil {
		counts, err = st.TableCounts(ctx)
	}
	st.Close()
	if err != nil {
		return err
	}
	if head.String() != m.AuditHead {
		return fmt.Errorf("restored audit head %s, the backup says %s", head, m.AuditHead)
	}
	for table, n := range m.Counts {
		if counts[table] != n {
			return fmt.Errorf("restored %s has %d rows, the backup says %d", table, counts[table], n)
		}
	}
	os.Remove(*into) // an empty directory; the rename needs its place
	if err := os.Rename(staged, *into); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored into %s: audit head %s, %d tables as the backup says\n", *into, head, len(counts))
	return nil
}
