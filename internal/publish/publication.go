package publish

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"path/filepath"

	"rollcall/internal/store"
)

// Publication is what publishing did, as the command line prints it and
// the workspace shows it.
type Publication struct {
	Snapshot store.Snapshot
	// Head is the audit chain's head right after the publication's entry:
	// kept away from the server, it later proves the log up to here was
	// neither rewritten nor cut (rollcall audit verify --head SEQ:HASH).
	Head          store.AuditHead
	File          string // the snapshot file in the data directory
	PublicKeyFile string
	SignedBy      string // the signing key's fingerprint
}

// PublishRecorded publishes a snapshot (Publish) for actor, with its audit
// entry in the same transaction as the stored snapshot, then rebuilds the
// public list if it is behind. The command line and the workspace both
// publish through it.
func PublishRecorded(ctx context.Context, st *store.Store, dataDir, actor string, opt PublishOptions) (Publication, error) {
	var out Publication
	sn, err := publish(ctx, st, dataDir, opt, func(ctx context.Context, sn store.Snapshot) error {
		var err error
		out.Head, err = st.SaveSnapshotAudited(ctx, actor, sn)
		return err
	})
	if err != nil {
		return out, err
	}
	out.Snapshot = sn
	out.File = filepath.Join(dataDir, snapshotDir, SnapshotFileName(sn.Slug))
	out.PublicKeyFile = filepath.Join(dataDir, keyDir, PublicKeyFile)
	pub, err := PublicKey(dataDir)
	if err != nil {
		return out, err
	}
	out.SignedBy = Fingerprint(ed25519.PublicKey(pub))
	// The site's list is rebuilt if it is behind what was just published.
	if stale, err := st.PublicStale(ctx); err != nil {
		return out, err
	} else if stale {
		if _, err := st.RefreshPublic(ctx); err != nil {
			return out, fmt.Errorf("published %s, but the public list was not refreshed: %w", sn.Slug, err)
		}
	}
	return out, nil
}
