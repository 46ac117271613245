package evidence

import (
	"bytes"
	"net/http"
	"strings"
)

// Sniff names the media type of a file from its first bytes (up to a few
// KiB), never from its name or from what the sender declared: the WHATWG
// sniffing rules of net/http, plus the ISO base media (ftyp) brands of
// phones' videos and photos and TIFF (raw photos).
func Sniff(head []byte) string {
	if len(head) >= 12 && string(head[4:8]) == "ftyp" {
		brand := string(head[8:12])
		switch {
		case brand == "qt  ":
			return "video/quicktime"
		case brand == "heic" || brand == "heix" || brand == "heim" || brand == "heis" || brand == "mif1" || brand == "msf1":
			return "image/heic"
		case brand == "avif" || brand == "avis":
			return "image/avif"
		case brand == "M4A " || brand == "M4B ":
			return "audio/mp4"
		case strings.HasPrefix(brand, "3gp") || strings.HasPrefix(brand, "3g2"):
			return "video/3gpp"
		default:
			return "video/mp4"
		}
	}
	if bytes.HasPrefix(head, []byte("II*\x00")) || bytes.HasPrefix(head, []byte("MM\x00*")) {
		return "image/tiff"
	}
	t := http.DetectContentType(head)
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return strings.TrimSpace(t)
}

// Kind is image, video, audio or document.
func Kind(mediaType string) string {
	switch {
	case strings.HasPrefix(mediaType, "image/"):
		return "image"
	case strings.HasPrefix(mediaType, "video/"):
		return "video"
	case strings.HasPrefix(mediaType, "audio/"):
		return "audio"
	}
	return "document"
}

// Extension is a file name extension for the type (with the dot), for
// exports and downloads; ".bin" when unknown.
func Extension(mediaType string) string {
	switch mediaType {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "image/heic":
		return ".heic"
	case "image/avif":
		return ".avif"
	case "image/tiff":
		return ".tif"
	case "video/mp4":
		return ".mp4"
	case "video/quicktime":
		return ".mov"
	case "video/3gpp":
		return ".3gp"
	case "video/webm":
		return ".webm"
	case "video/avi":
		return ".avi"
	case "audio/mp4":
		return ".m4a"
	case "audio/mpeg":
		return ".mp3"
	case "audio/wave":
		return ".wav"
	case "audio/ogg", "application/ogg":
		return ".ogg"
	case "application/pdf":
		return ".pdf"
	case "application/zip":
		return ".zip"
	case "text/plain":
		return ".txt"
	}
	return ".bin"
}
