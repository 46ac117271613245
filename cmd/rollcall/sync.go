package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/proxy"

	"rollcall/internal/evidence"
	"rollcall/internal/field"
	"rollcall/internal/store"
)

func init() {
	register("sync", "on a field instance: send the unacknowledged bundle to headquarters over HTTPS or Tor, and take its acknowledgement", runSync)
}

// syncPartSize is the part size sync cuts bundles into: a connection that
// breaks loses at most one part's worth of sending (resumption is per
// part, not per byte).
const syncPartSize = 1 << 20

func runSync(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "sync", "sync --hq URL [--to IDENTITY] [--proxy socks5://HOST:PORT] [--part-size SIZE]", stderr)
	passFD := passphraseFlag(fs)
	hqURL := fs.String("hq", "", "headquarters' address, e.g. https://registry.example.org or http://….onion")
	to := fs.String("to", "", "headquarters' identity (its 'bundle key'); needed only before the first bundle to it")
	proxyURL := fs.String("proxy", "", "send through this SOCKS5 proxy, e.g. socks5://127.0.0.1:9050 for Tor")
	partSize := fs.String("part-size", "", "cut the bundle into parts of at most this size (default 1M)")
	noPass := fs.Bool("no-passphrase", false, "go on although this field instance's data key is not under a passphrase")
	where := evidenceFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *hqURL == "" {
		fs.Usage()
		return errUsage
	}
	base, err := url.Parse(strings.TrimSuffix(*hqURL, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return fmt.Errorf("--hq %q: give https://HOST (or http://….onion through --proxy)", *hqURL)
	}
	size, err := parseSize(*partSize)
	if err != nil {
		return err
	}
	if size == 0 {
		size = syncPartSize
	}
	client, err := syncClient(*proxyURL)
	if err != nil {
		return err
	}
	st, keys, err := openWithKeys(ctx, g, *passFD)
	if err != nil {
		return err
	}
	defer st.Close()
	// The same rule as 'bundle export': a field laptop may be taken.
	if !keys.Sealed() && isFieldInstance(g) {
		if !*noPass {
			return errors.New("this field instance's data key is not under a passphrase: run 'rollcall key passphrase' first, or give --no-passphrase to go on without one")
		}
		fmt.Fprintln(stderr, "warning: --no-passphrase: this field instance's data key is plain on the disk; run 'rollcall key passphrase' as soon as you can")
	}
	self, err := instanceIdentity(ctx, st)
	if err != nil {
		return err
	}
	blobs, err := openBlobs(g, *where)
	if err != nil {
		return err
	}
	outbox := filepath.Join(g.data, "field-outbox")
	parts, err := outboxParts(outbox)
	if err != nil {
		return err
	}
	if len(parts) == 0 {
		hq, err := syncHeadquarters(ctx, st, *to)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(outbox, 0o700); err != nil {
			return err
		}
		var out bytes.Buffer
		if err := exportBundle(ctx, st, blobs, self, hq, filepath.Join(outbox, "bundle"), size, false, &out); err != nil {
			return err
		}
		if parts, err = outboxParts(outbox); err != nil {
			return err
		}
		if len(parts) == 0 {
			fmt.Fprintln(stdout, "nothing to send: headquarters has acknowledged everything made here")
			return nil
		}
	} else {
		fmt.Fprintf(stdout, "resuming the bundle of an earlier sync (%d part(s))\n", len(parts))
	}
	return sendOutbox(ctx, client, base.String(), st, blobs, self, outbox, parts, stdout)
}

// syncHeadquarters is the headquarters to send to: --to, or the one
// headquarters this instance has sent to before.
func syncHeadquarters(ctx context.Context, st *store.Store, to string) (field.Public, error) {
	if to != "" {
		return field.ParsePublic(to)
	}
	devices, err := st.Devices(ctx)
	if err != nil {
		return field.Public{}, err
	}
	var found []store.Device
	for _, d := range devices {
		if d.Role == store.RoleHeadquarters && !d.Revoked() {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		return field.Public{}, errors.New("give headquarters' identity with --to (the line its 'rollcall bundle key' printed)")
	}
	return field.ParsePublic(field.PublicPrefix + found[0].SignKey + ":" + found[0].Recipient)
}

// syncClient is an HTTP client, through a SOCKS5 proxy when one is given
// (the proxy resolves names, so .onion addresses work through Tor).
func syncClient(proxyURL string) (*http.Client, error) {
	tr := &http.Transport{TLSHandshakeTimeout: 60 * time.Second, ResponseHeaderTimeout: 5 * time.Minute}
	if proxyURL != "" {
		u, err := url.Parse(proxyURL)
		if err != nil || (u.Scheme != "socks5" && u.Scheme != "socks5h") || u.Host == "" {
			return nil, fmt.Errorf("--proxy %q: give socks5://HOST:PORT (Tor: socks5://127.0.0.1:9050)", proxyURL)
		}
		u.Scheme = "socks5"
		dialer, err := proxy.FromURL(u, proxy.Direct)
		if err != nil {
			return nil, err
		}
		ctxDialer, ok := dialer.(proxy.ContextDialer)
		if !ok {
			return nil, errors.New("the SOCKS5 dialer cannot be cancelled")
		}
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			return ctxDialer.DialContext(ctx, network, addr)
		}
	} else {
		tr.Proxy = nil
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Minute}, nil
}

// outboxParts lists the part files waiting in the outbox, in order.
func outboxParts(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	type numbered struct {
		file  string
		index int
	}
	var list []numbered
	for _, e := range entries {
		if e.IsDir() || !strings.HasPrefix(e.Name(), "bundle") {
			continue
		}
		h, err := readPartHeader(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("outbox %s: %w", e.Name(), err)
		}
		list = append(list, numbered{filepath.Join(dir, e.Name()), h.Index})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].index < list[j].index })
	files := make([]string, len(list))
	for i, n := range list {
		files[i] = n.file
	}
	return files, nil
}

// sendOutbox asks headquarters which parts it holds, sends the others one
// by one, retrying a broken connection from what headquarters says it
// still misses, and imports the acknowledgement it answers with at the end.
func sendOutbox(ctx context.Context, client *http.Client, base string, st *store.Store, blobs evidence.Blobs, self *field.Identity, outbox string, parts []string, stdout io.Writer) error {
	first, err := readPartHeader(parts[0])
	if err != nil {
		return err
	}
	sent, tries := 0, 0
	var lastErr error
	for tries < 3 {
		tries++
		if lastErr != nil {
			time.Sleep(time.Duration(tries) * 500 * time.Millisecond)
		}
		var have syncAnswer
		if lastErr = syncGet(ctx, client, base+"/field/have?bundle="+url.QueryEscape(first.ID), &have); lastErr != nil {
			continue
		}
		held := map[int]bool{}
		for _, i := range have.Have {
			held[i] = true
		}
		for i, p := range parts {
			if held[i+1] {
				continue
			}
			var ans syncAnswer
			if lastErr = syncPost(ctx, client, base+"/field/parts", p, &ans); lastErr != nil {
				break
			}
			sent++
			if len(ans.Ack) > 0 {
				fmt.Fprintf(stdout, "sent %d part(s) of bundle %s; %d were at headquarters already\n", sent, first.ID, len(parts)-sent)
				if ans.Message != "" {
					fmt.Fprintln(stdout, "headquarters: "+ans.Message)
				}
				return takeAck(ctx, st, blobs, self, outbox, ans.Ack, stdout)
			}
		}
		var refused *syncRefusal
		if errors.As(lastErr, &refused) {
			return lastErr
		}
		if lastErr == nil {
			lastErr = errors.New("headquarters has every part but sent no acknowledgement")
		}
	}
	return fmt.Errorf("%w; %d part(s) sent this time: run 'rollcall sync' again to send the rest (parts already at headquarters are not sent twice)", lastErr, sent)
}

// syncRefusal is headquarters saying no (not a broken connection): retrying
// does not help.
type syncRefusal struct {
	status int
	msg    string
}

func (e *syncRefusal) Error() string {
	return fmt.Sprintf("headquarters refused (%d): %s", e.status, e.msg)
}

func syncDo(client *http.Client, req *http.Request, into *syncAnswer) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		err := &syncRefusal{resp.StatusCode, strings.TrimSpace(string(b))}
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			return errors.New(err.Error())
		}
		return err
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(into)
}

func syncGet(ctx context.Context, client *http.Client, u string, into *syncAnswer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	return syncDo(client, req, into)
}

func syncPost(ctx context.Context, client *http.Client, u, file string, into *syncAnswer) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bufio.NewReader(f))
	if err != nil {
		return err
	}
	req.ContentLength = info.Size()
	req.Header.Set("Content-Type", "application/octet-stream")
	return syncDo(client, req, into)
}

// takeAck imports headquarters' acknowledgement as 'bundle import' would,
// then empties the outbox.
func takeAck(ctx context.Context, st *store.Store, blobs evidence.Blobs, self *field.Identity, outbox string, ack []byte, stdout io.Writer) error {
	file := filepath.Join(outbox, "ack")
	if err := os.WriteFile(file, ack, 0o600); err != nil {
		return err
	}
	if err := importParts(ctx, st, blobs, self, []string{file}, "", stdout); err != nil {
		return fmt.Errorf("headquarters' acknowledgement: %w", err)
	}
	return os.RemoveAll(outbox)
}
