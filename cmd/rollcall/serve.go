package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/funds"
	"rollcall/internal/funds/stripepay"
	"rollcall/internal/intake"
	"rollcall/internal/linkage"
	"rollcall/internal/seal"
	"rollcall/internal/store"
	"rollcall/internal/web"
)

func init() {
	register("serve", "run the web site", runServe)
}

func runServe(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "serve", "serve [--addr 127.0.0.1:8080] [--demo] [--https-proxy | --tls-cert FILE --tls-key FILE] [--hsts-max-age D] [--origin URL] [--onion NAME.onion] [--contact TEXT]... [--unlock [--passphrase-fd N]]", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	demo := fs.Bool("demo", false, "load a synthetic demo data set when the registry is empty")
	unlock := fs.Bool("unlock", false, "the data key is (or is to be) sealed under a passphrase: ask for it on the terminal, or read it from --passphrase-fd; with no key yet, make one sealed under it")
	passFD := passphraseFlag(fs)
	where := evidenceFlag(fs)
	fixityEvery := fs.Duration("evidence-verify-every", defaultFixityEvery, "how often every evidence original is read back, decrypted and re-hashed (the result is an audit entry); 0 turns it off")
	hstsMaxAge := fs.Duration("hsts-max-age", 365*24*time.Hour, "with --https-proxy or --tls-cert: how long browsers must reach the site only over HTTPS (Strict-Transport-Security); 0 sends none")
	uploadMax := fs.String("upload-max", "4GiB", "the largest evidence file one resumable (tus) upload may bring: bytes, or with KiB, MiB, GiB")
	httpsProxy := fs.Bool("https-proxy", false, "the site is reached only over HTTPS through a reverse proxy that speaks plain HTTP to this server: session cookies become __Host- and Secure (not for an onion address served over plain HTTP)")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS itself with this certificate chain (PEM), read again on SIGHUP; with --tls-key")
	tlsKey := fs.String("tls-key", "", "the private key (PEM) of --tls-cert, read again on SIGHUP")
	onion := fs.String("onion", os.Getenv("ROLLCALL_ONION"), "the site's onion address (NAME.onion), shown in every page's footer and on the contact page; default: env ROLLCALL_ONION")
	var contact contactLines
	fs.Var(&contact, "contact", "a way to reach the group, shown on the contact page as written (\"Signal: +998 …\"); repeat for more; default: the lines of env ROLLCALL_CONTACT")
	origin := fs.String("origin", os.Getenv("ROLLCALL_ORIGIN"), "the site's public origin (https://rollcall.example.org), on which one-time set-up and reset links and payment returns are built; default: env ROLLCALL_ORIGIN, else the address the browser used")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	if *origin != "" {
		if _, err := web.ParseOrigin(*origin); err != nil {
			return fmt.Errorf("--origin: %w", err)
		}
	}
	if contact == nil {
		contact = strings.Split(os.Getenv("ROLLCALL_CONTACT"), "\n")
	}
	// Checked before anything is opened: a typo stops serve at once.
	if _, err := (web.Contact{Lines: contact, Onion: *onion}).Checked(); err != nil {
		return fmt.Errorf("--contact/--onion: %w", err)
	}
	uploadLimit, err := parseByteSize(*uploadMax)
	if err != nil {
		return fmt.Errorf("--upload-max: %w", err)
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if *tlsCert != "" && *httpsProxy {
		return errors.New("--https-proxy is for a proxy that terminates TLS; with --tls-cert the server terminates it itself")
	}
	var certs *web.CertReloader
	if *tlsCert != "" {
		var err error
		if certs, err = web.NewCertReloader(*tlsCert, *tlsKey); err != nil {
			return err
		}
	}
	// Logs never carry addresses, names or tokens: the handler logs only
	// what the code passes it, and no request logging is done.
	log := slog.New(slog.NewTextHandler(stderr, nil))
	softMemoryLimit(log)
	st, keys, err := openServeKeys(ctx, g, *unlock, *passFD)
	if err != nil {
		return err
	}
	defer st.Close()
	if *unlock && !keys.Sealed() {
		log.Warn("--unlock: the data key is kept plain, there was nothing to unlock; seal it with 'rollcall key passphrase'", "file", seal.PlainKeyFile)
	}
	log.Info("data key open", "key", keys.KeyID(), "under_passphrase", keys.Sealed())
	if *demo {
		loaded, err := intake.LoadDemo(ctx, st, g.data)
		if err != nil {
			return err
		}
		if loaded {
			log.Info("loaded the synthetic demo data set")
			if _, err := dedupe(ctx, st, true, linkage.Options{}); err != nil {
				return err
			}
		}
	}
	// The public list is rebuilt at start, and then every minute, when
	// anything changed since the last rebuild, however it was changed
	// (a decision in the review queue, a mark, a new day).
	if err := refreshIfStale(ctx, st); err != nil {
		return fmt.Errorf("public list: %w", err)
	}
	go func() {
		tick := time.NewTicker(time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := refreshIfStale(ctx, st); err != nil && ctx.Err() == nil {
					log.Error("refreshing the public list", "err", err)
				}
			}
		}
	}()
	blobs, err := openBlobs(g, *where)
	if err != nil {
		return err
	}
	scheduleFixity(ctx, st, blobs, *fixityEvery, log)
	site, err := web.New(st, log)
	if err != nil {
		return err
	}
	site.EnableWorkspace(auth.New(st), g.data)
	if err := site.SetOrigin(*origin); err != nil {
		return fmt.Errorf("--origin: %w", err)
	}
	if err := site.SetContact(web.Contact{Lines: contact, Onion: *onion}); err != nil {
		return fmt.Errorf("--contact/--onion: %w", err)
	}
	site.EnableFunds(fundsConfig()) // donations (funds.go), the processors of processorsFromEnv
	// A crash's temporary objects (uploads' segments being written
	// included) go at start.
	if err := blobs.CleanTemp(); err != nil {
		return err
	}
	if err := site.EnableEvidence(ctx, web.EvidenceConfig{Blobs: blobs, UploadLimit: uploadLimit}); err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	// Phones encrypt what they send to the instance's OpenRosa key (made at
	// the first start, kept sealed under the data key): the forms carry it.
	if err := site.EnableOpenRosaEncryption(ctx); err != nil {
		return fmt.Errorf("OpenRosa key: %w", err)
	}
	// Abandoned uploads (no byte for a day) are removed every hour, and the
	// public reports of each closed hour get their one audit entry.
	go func() {
		tick := time.NewTicker(time.Hour)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := st.AuditClosedReportHours(ctx); err != nil && ctx.Err() == nil {
					log.Error("auditing the reports of the last hour", "err", err)
				}
				if n, err := site.ExpireUploads(ctx); err != nil && ctx.Err() == nil {
					log.Error("expiring abandoned uploads", "err", err)
				} else if n > 0 {
					log.Info("removed abandoned uploads", "count", n)
				}
			}
		}
	}()
	fieldSync, err := newFieldSync(ctx, st, blobs, g.data)
	if err != nil {
		return fmt.Errorf("field sync: %w", err)
	}
	var handler http.Handler = fieldSync.wrap(site)
	switch {
	case *httpsProxy:
		handler = web.BehindTLSProxy(handler, *hstsMaxAge)
	case certs != nil:
		handler = web.StrictTransport(handler, *hstsMaxAge)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10, ConnContext: web.ConnContext,
		ErrorLog: web.ServerErrorLog(log)}
	errc := make(chan error, 1)
	if certs != nil {
		srv.TLSConfig = certs.TLSConfig()
		reloadOnHangup(ctx, certs, log)
		fmt.Fprintf(stdout, "Rollcall is serving on https://%s/\n", ln.Addr())
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
	} else {
		fmt.Fprintf(stdout, "Rollcall is serving on http://%s/\n", ln.Addr())
		go func() { errc <- srv.Serve(ln) }()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	// A rebuild of the public list started by an edit finishes before the
	// store closes.
	site.Wait()
	return nil
}

// serveMemoryLimit is the server's soft memory limit unless GOMEMLIMIT
// says otherwise. Password checks allocate 19 MiB of argon2id memory each
// (four at most at once, auth.MaxChecks) that is garbage a moment later;
// with only GOGC the heap may grow to twice what was live at the last
// collection before the next, so a burst of sign-ins took the server to
// 200 MiB. Under the limit the collector runs earlier instead; it is soft:
// a registry that needs more live memory gets it, at the cost of more
// collecting (docs/operations.md).
const serveMemoryLimit = 128 << 20

func softMemoryLimit(log *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(serveMemoryLimit)
	log.Debug("soft memory limit", "bytes", serveMemoryLimit)
}

// reloadOnHangup reads the TLS certificate and key again at every SIGHUP
// (as a renewal hook sends it), until ctx ends. A pair that does not load
// leaves the one in use and is logged.
func reloadOnHangup(ctx context.Context, certs *web.CertReloader, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if err := certs.Reload(); err != nil {
					log.Error("SIGHUP: the TLS certificate in use is kept", "err", err)
				} else {
					log.Info("SIGHUP: TLS certificate reloaded")
				}
			}
		}
	}()
}

// openServeKeys opens the store and the data key as the key commands do
// (openWithKeys), with two differences: without --unlock a server never
// waits for a passphrase (a service manager has nobody to type it), and
// with --unlock and no key yet the new key is sealed under the passphrase
// from the start, never written plain.
func openServeKeys(ctx context.Context, g *globals, unlock bool, passFD int) (*store.Store, *seal.Keyring, error) {
	if !unlock {
		if seal.Locked(g.data) {
			return nil, nil, fmt.Errorf("%w; e.g. 'rollcall serve --unlock' on a terminal, or 'rollcall serve --unlock --passphrase-fd 3' with the passphrase on descriptor 3", seal.ErrLocked)
		}
		return openWithKeys(ctx, g, -1)
	}
	if seal.Exists(g.data) {
		return openWithKeys(ctx, g, passFD)
	}
	st, err := g.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	if ids, err := st.SealKeysInUse(ctx); err != nil || len(ids) > 0 {
		st.Close()
		if err != nil {
			return nil, nil, err
		}
		// A new key would not open what the lost one sealed:
		// openWithKeys refuses and says how to recover.
		return openWithKeys(ctx, g, passFD)
	}
	// Asked twice on a terminal: a mistyped passphrase here loses the key.
	p, err := newPassphrase(passFD)
	if err == nil {
		var keys *seal.Keyring
		if keys, err = seal.Open(g.data, seal.Fixed(p)); err == nil {
			st.SetKeys(keys) // as openWithKeys does
			if err = sealWhatNeedsTheKey(ctx, st); err == nil {
				return st, keys, nil
			}
		}
	}
	st.Close()
	return nil, nil, err
}

// refreshIfStale rebuilds the public list when something changed since.
func refreshIfStale(ctx context.Context, st *store.Store) error {
	stale, err := st.PublicStale(ctx)
	if err != nil || !stale {
		return err
	}
	_, err = st.RefreshPublic(ctx)
	return err
}

// processorsFromEnv are the card processors the environment configures,
// the one taking card gifts first: Stripe with ROLLCALL_STRIPE_KEY (its
// events signed with ROLLCALL_STRIPE_WEBHOOK_SECRET, its API at
// ROLLCALL_STRIPE_API_BASE for stripe-mock in tests). A processor added
// is one more line here (docs/architecture.md).
func processorsFromEnv() []funds.Processor {
	var ps []funds.Processor
	if key := os.Getenv("ROLLCALL_STRIPE_KEY"); key != "" {
		ps = append(ps, stripepay.New(stripepay.Config{Key: key, WebhookSecret: os.Getenv("ROLLCALL_STRIPE_WEBHOOK_SECRET"), APIBase: os.Getenv("ROLLCALL_STRIPE_API_BASE")}))
	}
	return ps
}

// errNoProcessor is reconciliation with no processor configured.
var errNoProcessor = errors.New("ROLLCALL_STRIPE_KEY is not set: reconciliation asks Stripe for its balance transactions")

// parseByteSize reads a size in bytes, or with a KiB, MiB or GiB suffix
// (K, M, G, KB, MB, GB are read the same: powers of 1024).
func parseByteSize(v string) (int64, error) {
	v = strings.TrimSpace(v)
	mult := int64(1)
	upper := strings.ToUpper(v)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(upper, u.suffix) {
			v, mult = strings.TrimSpace(v[:len(v)-len(u.suffix)]), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q: want a positive size such as 4GiB or 500MiB", v)
	}
	return n * mult, nil
}

// contactLines is serve's repeatable --contact.
type contactLines []string

func (c *contactLines) String() string { return strings.Join(*c, "; ") }

func (c *contactLines) Set(v string) error {
	*c = append(*c, v)
	return nil
}
