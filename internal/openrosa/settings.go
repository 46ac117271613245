package openrosa

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
)

// CollectSettings is what ODK Collect reads from a project's QR code (as
// ODK Central draws it for an app user): the settings as JSON, compressed
// with zlib and written in base64. The server URL holds the phone's token,
// so no user name or password is set; the admin section is empty (the
// volunteer may change nothing else either way).
func CollectSettings(serverURL, projectName string) string {
	doc, _ := json.Marshal(map[string]any{
		"general": map[string]any{"server_url": serverURL, "username": "", "password": ""},
		"admin":   map[string]any{},
		"project": map[string]any{"name": projectName, "icon": "R"},
	})
	var b bytes.Buffer
	z := zlib.NewWriter(&b)
	z.Write(doc)
	z.Close()
	return base64.StdEncoding.EncodeToString(b.Bytes())
}
