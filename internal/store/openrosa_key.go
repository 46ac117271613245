package store

import "context"

// The OpenRosa key is the RSA key phones encrypt submissions to (ODK's
// encryption, internal/openrosa/odkcrypt): one for the instance, kept like
// the instance identity and the evidence key, sealed under the data key in
// sealed_values so that a key rotation re-seals it.
const (
	sealedOpenRosaKey = "openrosa_key"
	openRosaKeyOwner  = "instance"
)

// OpenRosaKey returns the OpenRosa private key as text, making it with
// generate (and keeping it sealed, audited) at first use. Two callers
// making it at once keep the one that was stored first.
func (s *Store) OpenRosaKey(ctx context.Context, generate func() (string, error)) (string, error) {
	return s.sealedOnce(ctx, sealedOpenRosaKey, openRosaKeyOwner, "openrosa.key", "OpenRosa key", generate)
}
