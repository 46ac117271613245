package web

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tus/tusd/v2/pkg/handler"
)

// FuzzUploadMetadata: any Upload-Metadata header, parsed as tusd parses
// it, then kept and read for links as uploadCreated does: nothing
// panics, only known keys stay, each valid UTF-8 of at most 1 KiB, and
// every link names a kind we link and a printable id.
func FuzzUploadMetadata(f *testing.F) {
	f.Add("filename bWFyY2gubXA0,filetype dmlkZW8vbXA0")
	f.Add("person MDEyMzQ1Njc4OS1hYmNk,incident YSxiLA==,claim IA==")
	f.Add("filename,person")
	f.Add("filename " + strings.Repeat("QUFB", 1000))
	f.Add("person /w==")
	f.Fuzz(func(t *testing.T, header string) {
		meta := cleanUploadMeta(handler.ParseMetadataHeader(header))
		for k, v := range meta {
			if !strings.Contains(strings.Join(uploadMetaKeys, " "), k) || len(v) > 1024+3 || !utf8.ValidString(v) {
				t.Fatalf("kept %q=%q", k, v)
			}
		}
		links, err := UploadLinks(meta)
		if err != nil {
			return
		}
		for _, l := range links {
			if l.Kind != "person" && l.Kind != "incident" && l.Kind != "claim" || l.TargetID == "" || strings.ContainsAny(l.TargetID, " ,\x00\n") {
				t.Fatalf("link %+v from %q", l, header)
			}
		}
	})
}
