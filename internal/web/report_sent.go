package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// A sent report is answered with a redirect (303) to its confirmation,
// so that a refresh or the back button shows the confirmation again and
// files nothing. The confirmation's address holds a random token, never
// the reference: the token maps to the reference in memory only, for
// sentLife, after which (or after a restart, or for a token nobody was
// given) the page still says that a report sent from here arrived, but
// shows no reference. The reference thus never enters a browser's
// history, and an address copied from one reveals nothing after an hour
// and nothing at all to anyone who guesses at tokens.
const (
	sentLife = time.Hour
	sentMax  = 10000 // confirmations kept at most; a flood evicts, never grows memory
)

type sentReports struct {
	mu      sync.Mutex
	byToken map[string]sentReport
}

type sentReport struct {
	reference string
	expires   time.Time
}

func newSentReports() *sentReports { return &sentReports{byToken: map[string]sentReport{}} }

// add keeps a reference for its confirmation page and returns the token.
func (c *sentReports) add(now time.Time, reference string) string {
	b := make([]byte, 18)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byToken) >= sentMax {
		for t, s := range c.byToken {
			if now.After(s.expires) {
				delete(c.byToken, t)
			}
		}
		for t := range c.byToken {
			if len(c.byToken) < sentMax {
				break
			}
			delete(c.byToken, t)
		}
	}
	c.byToken[token] = sentReport{reference: reference, expires: now.Add(sentLife)}
	return token
}

// reference is the token's reference while it lives; "" otherwise.
func (c *sentReports) reference(now time.Time, token string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.byToken[token]
	if !ok {
		return ""
	}
	if now.After(s.expires) {
		delete(c.byToken, token)
		return ""
	}
	return s.reference
}

// reportSentPath is where a sent report's browser is sent.
func reportSentPath(lang, token string) string { return "/" + lang + "/report/sent/" + token }

// reportSent shows a sent report's confirmation.
func (s *Server) reportSent(w http.ResponseWriter, r *http.Request, sent *sentReports) {
	rp, ok := s.reportFrame(r, nil)
	if !ok || s.auth == nil {
		s.notFound(w, r)
		return
	}
	rp.Reference = sent.reference(s.auth.Now(), r.PathValue("token"))
	privatePage(w)
	s.render(w, "report_sent.html", rp)
}
