package main

import (
	"image/png"
	"os"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	"rollcall/internal/openrosa"
)

// writeCollectQR draws the QR code ODK Collect scans to set up a project
// (Settings → Add project → scan): the server URL with the phone's token,
// so the URL need not be typed. The file holds the credential: mode 0600.
func writeCollectQR(path, serverURL string) error {
	code, err := qr.Encode(openrosa.CollectSettings(serverURL, "Rollcall"), qr.M, qr.Auto)
	if err != nil {
		return err
	}
	if code, err = barcode.Scale(code, 512, 512); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := png.Encode(f, code); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
