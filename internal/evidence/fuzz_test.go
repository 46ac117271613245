package evidence

import (
	"bytes"
	"testing"
)

// Fuzz targets for every metadata reader (scripts/fuzz runs them): none may
// panic, loop or allocate without bound on any input.

func fuzzReader(f *testing.F, mediaType string, wrap func([]byte) []byte) {
	for _, s := range metadataSeeds(f) {
		if s.typ == mediaType || (mediaType == "video/mp4" && s.typ == "video/quicktime") {
			f.Add(s.data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if wrap != nil {
			data = wrap(data)
		}
		ReadMetadata(bytes.NewReader(data), int64(len(data)), mediaType)
	})
}

func FuzzJPEGMetadata(f *testing.F) { fuzzReader(f, "image/jpeg", nil) }
func FuzzPNGMetadata(f *testing.F)  { fuzzReader(f, "image/png", nil) }
func FuzzTIFFMetadata(f *testing.F) { fuzzReader(f, "image/tiff", nil) }
func FuzzBMFFMetadata(f *testing.F) { fuzzReader(f, "video/mp4", nil) }

func FuzzIPTC(f *testing.F) {
	f.Add([]byte("\x1c\x02\x50\x00\x07Witness\x1c\x02\x5a\x00\x05Nukus"))
	f.Add([]byte("8BIM\x04\x04\x00\x00\x00\x00\x00\x0c\x1c\x02\x50\x00\x07Witness"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := &Metadata{}
		readIPTC(m, data)
		readPhotoshop(m, data)
	})
}

func FuzzISO6709(f *testing.F) {
	f.Add("+42.4531+059.6103+075.000/")
	f.Add("-12.5-170/")
	f.Fuzz(func(t *testing.T, s string) {
		if lat, lon, ok := parseISO6709(s); ok && (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
			t.Fatalf("%q gave %v %v", s, lat, lon)
		}
	})
}

func FuzzSniff(f *testing.F) {
	for _, s := range metadataSeeds(f) {
		f.Add(s.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if Sniff(data) == "" {
			t.Fatal("no type")
		}
	})
}
