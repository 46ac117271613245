package web

// phonesSite is what the OpenRosa side of the site (ODK Collect, Tella)
// needs beyond the store: the forms' encryption key.
type phonesSite struct {
	// publicKey is the base64 DER RSA public key the forms carry
	// (base64RsaPublicKey); empty: phones send plain instances.
	publicKey string
}

// SetOpenRosaPublicKey makes every form served to phones carry key, so that
// ODK Collect encrypts what it sends (ODK's encryption: the submission
// element's base64RsaPublicKey).
func (s *Server) SetOpenRosaPublicKey(key string) { s.phones.publicKey = key }
