package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// Answer classes of the authorization matrix. Plain numbers are HTTP
// statuses; the two redirect classes tell a "sign in first" from any
// other redirect.
const (
	toSignIn = 1   // 303 to /admin/signin… (sign in first, or again)
	moved    = 303 // 303 anywhere else
	fine     = 200
	bad      = 400
	wrong    = 401 // a wrong password or code, answered on the form
	refused  = 403
	missing  = 404
	clash    = 409
	tooBig   = 413
	invalid  = 422 // a form the report page answers with its problems
)

// authzRow is one route of the matrix: a request that fills its
// wildcards with sample values (made-up ids: a 404 for a role that may
// use the route is a fine answer), and the expected answer class for
// anonymous and each role, in the order of authzWho.
type authzRow struct {
	path string     // "" for the static assets: the pattern's own path
	form url.Values // POST body (the session's form token is added)
	want [6]int
	// endsSession: the request ends the session it is sent with, so the
	// next row needs a new one.
	endsSession bool
}

var authzWho = []auth.Role{auth.Anonymous, auth.Admin, auth.Editor, auth.Volunteer, auth.Treasurer, auth.Viewer}

const sampleID = "01234567-89ab-7def-8123-456789abcdef"

// authzTable is the authorization matrix: EVERY route of site.Routes(),
// by its pattern, × anonymous and every role. Columns: anonymous, admin,
// editor, volunteer, treasurer, viewer. A new route must get a row here.
var authzTable = map[string]authzRow{
	// The public site: the same for everyone.
	"GET /{$}":                                  {path: "/", want: [6]int{moved, moved, moved, moved, moved, moved}},
	"GET /{lang}/{$}":                           {path: "/ru/", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /{lang}/counts/{$}":                    {path: "/en/counts/", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /{lang}/data/{$}":                      {path: "/kaa/data/", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /{lang}/people/{$}":                    {path: "/uz/people/", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /{lang}/people/{id}":                   {path: "/en/people/" + sampleID, want: [6]int{missing, missing, missing, missing, missing, missing}},
	"GET /en/feed.atom":                         {path: "/en/feed.atom", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /kaa/feed.atom":                        {path: "/kaa/feed.atom", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /ru/feed.atom":                         {path: "/ru/feed.atom", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /uz/feed.atom":                         {path: "/uz/feed.atom", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /{lang}/embed/counter":                 {path: "/en/embed/counter", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /{lang}/embed/counter.svg":             {path: "/en/embed/counter.svg", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /api/v1/people":                        {path: "/api/v1/people", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /api/v1/people/{id}":                   {path: "/api/v1/people/" + sampleID, want: [6]int{missing, missing, missing, missing, missing, missing}},
	"GET /api/v1/counts":                        {path: "/api/v1/counts", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /api/v1/snapshots":                     {path: "/api/v1/snapshots", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /api/v1/openapi.json":                  {path: "/api/v1/openapi.json", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /data/rollcall-people.csv":             {path: "/data/rollcall-people.csv", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /data/rollcall-people-spreadsheet.csv": {path: "/data/rollcall-people-spreadsheet.csv", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /data/rollcall-people.json":            {path: "/data/rollcall-people.json", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /data/snapshots/{file}":                {path: "/data/snapshots/none.json", want: [6]int{missing, missing, missing, missing, missing, missing}},
	"GET /data/snapshot-signing.pem":            {path: "/data/snapshot-signing.pem", want: [6]int{missing, missing, missing, missing, missing, missing}},
	"GET /{lang}/data/verify/{$}":               {path: "/uz/data/verify/", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /data/snapshot-signing.pub":            {path: "/data/snapshot-signing.pub", want: [6]int{missing, missing, missing, missing, missing, missing}},
	"GET /static/{asset}":                       {want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /favicon.ico":                          {path: "/favicon.ico", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"/":                                         {path: "/no/such/page", want: [6]int{missing, missing, missing, missing, missing, missing}},
	// The tus routes (evidence_upload.go): this site has no evidence
	// store, so they answer 404 to everyone; TestTusUploadRefusals and
	// TestTusUploadByRole check them with one, for every role.
	"POST /admin/uploads/{$}":    {path: "/admin/uploads/", want: [6]int{missing, missing, missing, missing, missing, missing}},
	"HEAD /admin/uploads/{id}":   {path: "/admin/uploads/" + sampleID, want: [6]int{missing, missing, missing, missing, missing, missing}},
	"PATCH /admin/uploads/{id}":  {path: "/admin/uploads/" + sampleID, want: [6]int{missing, missing, missing, missing, missing, missing}},
	"DELETE /admin/uploads/{id}": {path: "/admin/uploads/" + sampleID, want: [6]int{missing, missing, missing, missing, missing, missing}},
	// Evidence pages (evidence_pages.go); this site has no evidence
	// store, so the list and the form answer 404 once past the checks,
	// and the item routes find no item. TestEvidenceFormAndPages checks
	// them with one.
	"GET /admin/import/{$}":                           {path: "/admin/import/", want: [6]int{toSignIn, fine, fine, refused, refused, refused}},
	"POST /admin/import/{$}":                          {path: "/admin/import/", want: [6]int{refused, 415, 415, refused, refused, refused}},
	"GET /admin/import/{id}":                          {path: "/admin/import/" + sampleID, want: [6]int{toSignIn, missing, missing, refused, refused, refused}},
	"POST /admin/import/{id}/confirm":                 {path: "/admin/import/" + sampleID + "/confirm", want: [6]int{refused, missing, missing, refused, refused, refused}},
	"POST /admin/import/{id}/dedupe":                  {path: "/admin/import/" + sampleID + "/dedupe", want: [6]int{refused, missing, missing, refused, refused, refused}},
	"GET /admin/evidence/{$}":                         {path: "/admin/evidence/", want: [6]int{toSignIn, missing, missing, missing, refused, missing}},
	"POST /admin/evidence/{$}":                        {path: "/admin/evidence/", want: [6]int{missing, missing, missing, missing, missing, missing}},
	"GET /admin/evidence/{id}":                        {path: "/admin/evidence/" + sampleID, want: [6]int{toSignIn, missing, missing, refused, refused, missing}},
	"GET /admin/evidence/{id}/metadata":               {path: "/admin/evidence/" + sampleID + "/metadata", want: [6]int{toSignIn, missing, missing, refused, refused, refused}},
	"POST /admin/evidence/{id}/links":                 {path: "/admin/evidence/" + sampleID + "/links", form: url.Values{"kind": {"person"}, "target": {sampleID}}, want: [6]int{refused, missing, missing, refused, refused, refused}},
	"POST /admin/evidence/{id}/copies":                {path: "/admin/evidence/" + sampleID + "/copies", form: url.Values{"how": {"fill"}}, want: [6]int{refused, missing, missing, refused, refused, refused}},
	"GET /admin/evidence/{id}/picture":                {path: "/admin/evidence/" + sampleID + "/picture", want: [6]int{toSignIn, missing, missing, refused, refused, refused}},
	"GET /admin/evidence/{id}/copies/{copy}":          {path: "/admin/evidence/" + sampleID + "/copies/" + sampleID, want: [6]int{toSignIn, missing, missing, refused, refused, refused}},
	"POST /admin/evidence/{id}/copies/{copy}/publish": {path: "/admin/evidence/" + sampleID + "/copies/" + sampleID + "/publish", form: url.Values{"reason": {"r"}}, want: [6]int{refused, missing, missing, refused, refused, refused}},
	"GET /media/{id}":                                 {path: "/media/" + sampleID, want: [6]int{missing, missing, missing, missing, missing, missing}},
	"GET /admin/signin":                               {path: "/admin/signin", want: [6]int{fine, moved, moved, moved, moved, moved}},
	"POST /admin/signin":                              {path: "/admin/signin", form: url.Values{"email": {"nobody@example.org"}, "password": {"not the password"}}, want: [6]int{wrong, wrong, wrong, wrong, wrong, wrong}},
	"GET /admin/signin/code":                          {path: "/admin/signin/code", want: [6]int{toSignIn, toSignIn, toSignIn, toSignIn, toSignIn, toSignIn}},
	"POST /admin/signin/code":                         {path: "/admin/signin/code", form: url.Values{"code": {"123456"}}, want: [6]int{toSignIn, toSignIn, toSignIn, toSignIn, toSignIn, toSignIn}},
	"GET /admin/signin/enroll":                        {path: "/admin/signin/enroll", want: [6]int{toSignIn, toSignIn, toSignIn, toSignIn, toSignIn, toSignIn}},
	"POST /admin/signin/enroll":                       {path: "/admin/signin/enroll", form: url.Values{"code": {"123456"}}, want: [6]int{toSignIn, toSignIn, toSignIn, toSignIn, toSignIn, toSignIn}},
	"GET /admin/signin/enroll/qr.png":                 {path: "/admin/signin/enroll/qr.png", want: [6]int{missing, missing, missing, missing, missing, missing}},
	"POST /admin/signout":                             {path: "/admin/signout", want: [6]int{toSignIn, toSignIn, toSignIn, toSignIn, toSignIn, toSignIn}, endsSession: true},
	"GET /admin/setup":                                {path: "/admin/setup?token=made-up", want: [6]int{missing, missing, missing, missing, missing, missing}},
	"POST /admin/setup":                               {path: "/admin/setup", form: url.Values{"token": {"made-up"}, "password": {testPassword}, "password2": {testPassword}}, want: [6]int{missing, missing, missing, missing, missing, missing}},
	"GET /admin/reset":                                {path: "/admin/reset?token=made-up", want: [6]int{missing, missing, missing, missing, missing, missing}},
	"POST /admin/reset":                               {path: "/admin/reset", form: url.Values{"token": {"made-up"}, "password": {testPassword}, "password2": {testPassword}}, want: [6]int{missing, missing, missing, missing, missing, missing}},

	// The workspace: signed-in accounts only.
	"GET /admin/{$}":                         {path: "/admin/", want: [6]int{toSignIn, fine, fine, fine, fine, fine}},
	"GET /admin/reauth":                      {path: "/admin/reauth?next=%2Fadmin%2F", want: [6]int{toSignIn, fine, fine, fine, fine, fine}},
	"POST /admin/reauth":                     {path: "/admin/reauth", form: url.Values{"password": {"not the password"}, "code": {"000000"}}, want: [6]int{refused, wrong, wrong, wrong, wrong, wrong}},
	"GET /admin/account/{$}":                 {path: "/admin/account/", want: [6]int{toSignIn, fine, fine, fine, fine, fine}},
	"POST /admin/account/recovery":           {path: "/admin/account/recovery", want: [6]int{refused, fine, fine, fine, fine, fine}}, // every role has a second factor (issue 14 item 3)
	"POST /admin/account/password":           {path: "/admin/account/password", want: [6]int{refused, bad, bad, bad, bad, bad}},
	"POST /admin/account/signout-everywhere": {path: "/admin/account/signout-everywhere", want: [6]int{refused, toSignIn, toSignIn, toSignIn, toSignIn, toSignIn}, endsSession: true},
	"GET /admin/users/{$}":                   {path: "/admin/users/", want: [6]int{toSignIn, fine, refused, refused, refused, refused}},
	"POST /admin/users/{$}":                  {path: "/admin/users/", form: url.Values{"email": {"not an address"}, "role": {"viewer"}}, want: [6]int{refused, bad, refused, refused, refused, refused}},
	"POST /admin/users/{id}/role":            {path: "/admin/users/" + sampleID + "/role", form: url.Values{"role": {"admin"}}, want: [6]int{refused, missing, refused, refused, refused, refused}},
	"POST /admin/users/{id}/disable":         {path: "/admin/users/" + sampleID + "/disable", want: [6]int{refused, missing, refused, refused, refused, refused}},
	"POST /admin/users/{id}/enable":          {path: "/admin/users/" + sampleID + "/enable", want: [6]int{refused, missing, refused, refused, refused, refused}},
	"POST /admin/users/{id}/reset":           {path: "/admin/users/" + sampleID + "/reset", want: [6]int{refused, missing, refused, refused, refused, refused}},
	"GET /admin/review/{$}":                  {path: "/admin/review/", want: [6]int{toSignIn, fine, fine, refused, refused, refused}},
	"GET /admin/review/{pair}":               {path: "/admin/review/" + sampleID, want: [6]int{toSignIn, missing, missing, refused, refused, refused}},
	"POST /admin/review/{pair}":              {path: "/admin/review/" + sampleID, form: url.Values{"verdict": {"same"}}, want: [6]int{refused, missing, missing, refused, refused, refused}},
	"POST /admin/review/undo":                {path: "/admin/review/undo", form: url.Values{"decision": {sampleID}}, want: [6]int{refused, missing, missing, refused, refused, refused}},
	"GET /admin/audit/{$}":                   {path: "/admin/audit/", want: [6]int{toSignIn, fine, refused, refused, refused, refused}},
	"POST /admin/audit/verify":               {path: "/admin/audit/verify", want: [6]int{refused, fine, refused, refused, refused, refused}},
	"GET /admin/review/persons/{person}":     {path: "/admin/review/persons/" + sampleID, want: [6]int{toSignIn, missing, missing, refused, refused, refused}},
	"POST /admin/review/persons/{person}":    {path: "/admin/review/persons/" + sampleID, form: url.Values{"verdict": {"keep"}}, want: [6]int{refused, missing, missing, refused, refused, refused}},
	"GET /admin/names/{$}":                   {path: "/admin/names/", want: [6]int{toSignIn, fine, fine, refused, refused, refused}},
	"POST /admin/names/{form}":               {path: "/admin/names/" + sampleID, form: url.Values{"verdict": {"accept"}}, want: [6]int{refused, missing, missing, refused, refused, refused}},

	// Editing the registry (admin_*.go). Made-up ids: 404 for the
	// roles that may use the route.
	"GET /admin/sources/{$}":                 {path: "/admin/sources/", want: [6]int{toSignIn, fine, fine, refused, refused, refused}},
	"POST /admin/sources/{$}":                {path: "/admin/sources/", want: [6]int{refused, bad, bad, refused, refused, refused}},
	"GET /admin/sources/{id}":                {path: "/admin/sources/" + sampleID, want: [6]int{toSignIn, missing, missing, refused, refused, refused}},
	"POST /admin/sources/{id}/identity":      {path: "/admin/sources/" + sampleID + "/identity", want: [6]int{refused, missing, missing, refused, refused, refused}},
	"POST /admin/sources/{id}/kind":          {path: "/admin/sources/" + sampleID + "/kind", want: [6]int{refused, missing, missing, refused, refused, refused}},
	"GET /admin/sources/{id}/identity":       {path: "/admin/sources/" + sampleID + "/identity", want: [6]int{toSignIn, missing, missing, refused, refused, refused}},
	"GET /admin/records/{$}":                 {path: "/admin/records/", want: [6]int{toSignIn, fine, fine, fine, refused, fine}},
	"GET /admin/records/new":                 {path: "/admin/records/new", want: [6]int{toSignIn, fine, fine, fine, refused, refused}},
	"POST /admin/records/{$}":                {path: "/admin/records/", want: [6]int{refused, bad, bad, bad, refused, refused}},
	"GET /admin/records/{id}":                {path: "/admin/records/" + sampleID, want: [6]int{toSignIn, missing, missing, missing, refused, missing}},
	"POST /admin/records/{id}/claims":        {path: "/admin/records/" + sampleID + "/claims", want: [6]int{refused, missing, missing, missing, refused, refused}},
	"POST /admin/records/{id}/take":          {path: "/admin/records/" + sampleID + "/take", want: [6]int{refused, missing, missing, refused, refused, refused}},
	"POST /admin/records/{id}/revise":        {path: "/admin/records/" + sampleID + "/revise", form: url.Values{"name": {"A B"}}, want: [6]int{refused, missing, missing, refused, refused, refused}},
	"POST /admin/claims/{id}/retract":        {path: "/admin/claims/" + sampleID + "/retract", want: [6]int{refused, missing, missing, missing, refused, refused}},
	"POST /admin/claims/{id}/verify":         {path: "/admin/claims/" + sampleID + "/verify", want: [6]int{refused, missing, missing, refused, refused, refused}},
	"GET /admin/claims/{id}/note":            {path: "/admin/claims/" + sampleID + "/note", want: [6]int{toSignIn, missing, missing, refused, refused, refused}},
	"GET /admin/incidents/{$}":               {path: "/admin/incidents/", want: [6]int{toSignIn, fine, fine, refused, refused, refused}},
	"POST /admin/incidents/{$}":              {path: "/admin/incidents/", want: [6]int{refused, bad, bad, refused, refused, refused}},
	"GET /admin/people/{$}":                  {path: "/admin/people/", want: [6]int{toSignIn, fine, fine, refused, refused, fine}},
	"POST /admin/people/{$}":                 {path: "/admin/people/", want: [6]int{refused, bad, bad, refused, refused, refused}},
	"GET /admin/people/{id}":                 {path: "/admin/people/" + sampleID, want: [6]int{toSignIn, missing, missing, refused, refused, missing}},
	"POST /admin/people/{id}/move":           {path: "/admin/people/" + sampleID + "/move", want: [6]int{refused, missing, missing, refused, refused, refused}},
	"POST /admin/people/{id}/mark":           {path: "/admin/people/" + sampleID + "/mark", want: [6]int{refused, missing, missing, refused, refused, refused}},
	"POST /admin/sources/{id}/basis":         {path: "/admin/sources/" + sampleID + "/basis", want: [6]int{refused, missing, missing, refused, refused, refused}},
	"POST /admin/people/{id}/relationships":  {path: "/admin/people/" + sampleID + "/relationships", want: [6]int{refused, missing, missing, refused, refused, refused}},
	"POST /admin/relationships/{id}/retract": {path: "/admin/relationships/" + sampleID + "/retract", want: [6]int{refused, missing, missing, refused, refused, refused}},
	"GET /admin/relationships/{id}/contact":  {path: "/admin/relationships/" + sampleID + "/contact", want: [6]int{toSignIn, missing, missing, refused, refused, refused}},
	"GET /admin/consents/{id}/giver":         {path: "/admin/consents/" + sampleID + "/giver", want: [6]int{toSignIn, missing, missing, refused, refused, refused}},
	"GET /admin/publish/{$}":                 {path: "/admin/publish/", want: [6]int{toSignIn, fine, fine, refused, refused, refused}},
	"POST /admin/publish/{$}":                {path: "/admin/publish/", want: [6]int{refused, bad, bad, refused, refused, refused}},
	"GET /admin/publish/{slug}":              {path: "/admin/publish/no-such-snapshot", want: [6]int{toSignIn, missing, missing, refused, refused, refused}},

	// Public reports (report.go): anyone files; editors triage.
	"GET /{lang}/report/{$}":           {path: "/en/report/", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"POST /{lang}/report/{$}":          {path: "/en/report/", want: [6]int{invalid, invalid, invalid, invalid, invalid, invalid}},
	"GET /{lang}/report/sent/{token}":  {path: "/en/report/sent/no-such-token", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /{lang}/contact/{$}":          {path: "/en/contact/", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /{lang}/people/print/{$}":     {path: "/en/people/print/", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /admin/reports/{$}":           {path: "/admin/reports/", want: [6]int{toSignIn, fine, fine, refused, refused, refused}},
	"GET /admin/reports/{id}":          {path: "/admin/reports/" + sampleID, want: [6]int{toSignIn, missing, missing, refused, refused, refused}},
	"GET /admin/reports/{id}/sealed":   {path: "/admin/reports/" + sampleID + "/sealed", want: [6]int{toSignIn, missing, missing, refused, refused, refused}},
	"POST /admin/reports/{id}/record":  {path: "/admin/reports/" + sampleID + "/record", want: [6]int{refused, missing, missing, refused, refused, refused}},
	"POST /admin/reports/{id}/dismiss": {path: "/admin/reports/" + sampleID + "/dismiss", want: [6]int{refused, missing, missing, refused, refused, refused}},

	// Donations and the ledger (funds.go).
	"GET /{lang}/donate/{$}":               {path: "/en/donate/", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /{lang}/donate/thanks/{$}":        {path: "/en/donate/thanks/", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /{lang}/donate/{slug}/{$}":        {path: "/en/donate/no-such-campaign/", want: [6]int{missing, missing, missing, missing, missing, missing}},
	"POST /{lang}/donate/{slug}/card":      {path: "/en/donate/no-such-campaign/card", want: [6]int{missing, missing, missing, missing, missing, missing}},
	"POST /{lang}/donate/{slug}/pledge":    {path: "/en/donate/no-such-campaign/pledge", want: [6]int{missing, missing, missing, missing, missing, missing}},
	"GET /{lang}/transparency/{$}":         {path: "/en/transparency/", want: [6]int{fine, fine, fine, fine, fine, fine}},
	"GET /{lang}/transparency/monthly.csv": {path: "/en/transparency/monthly.csv", want: [6]int{fine, fine, fine, fine, fine, fine}},
	// Phones (OpenRosa): the token in the path is the credential, never a
	// session; over plain HTTP every request is refused before the token is
	// looked at (TestOpenRosa* send them over TLS).
	"GET /openrosa/key/{token}/formList":              {path: "/openrosa/key/made-up/formList", want: [6]int{refused, refused, refused, refused, refused, refused}},
	"GET /openrosa/key/{token}/forms/{form}/form.xml": {path: "/openrosa/key/made-up/forms/rollcall_report/form.xml", want: [6]int{refused, refused, refused, refused, refused, refused}},
	"GET /openrosa/key/{token}/forms/{form}/manifest": {path: "/openrosa/key/made-up/forms/rollcall_report/manifest", want: [6]int{refused, refused, refused, refused, refused, refused}},
	"HEAD /openrosa/key/{token}/submission":           {path: "/openrosa/key/made-up/submission", want: [6]int{missing, missing, missing, missing, missing, missing}}, // sent as GET: no such page
	"POST /openrosa/key/{token}/submission":           {path: "/openrosa/key/made-up/submission", want: [6]int{refused, refused, refused, refused, refused, refused}},
	"POST /webhooks/{processor}":                      {path: "/webhooks/stripe", want: [6]int{missing, missing, missing, missing, missing, missing}},
	"GET /admin/funds/{$}":                            {path: "/admin/funds/", want: [6]int{toSignIn, fine, refused, refused, fine, refused}},
	"POST /admin/funds/campaigns":                     {path: "/admin/funds/campaigns", want: [6]int{refused, refused, refused, refused, bad, refused}},
	"POST /admin/funds/bank":                          {path: "/admin/funds/bank", want: [6]int{refused, refused, refused, refused, bad, refused}},
	"POST /admin/funds/statement":                     {path: "/admin/funds/statement", want: [6]int{refused, refused, refused, refused, bad, refused}},
	"POST /admin/funds/crypto":                        {path: "/admin/funds/crypto", want: [6]int{refused, refused, refused, refused, bad, refused}},
	"POST /admin/funds/receipts/{id}/confirm":         {path: "/admin/funds/receipts/" + sampleID + "/confirm", want: [6]int{refused, refused, refused, refused, missing, refused}},
	"POST /admin/funds/disbursements":                 {path: "/admin/funds/disbursements", want: [6]int{refused, refused, refused, refused, bad, refused}},
	"POST /admin/funds/disbursements/{id}/approve":    {path: "/admin/funds/disbursements/" + sampleID + "/approve", want: [6]int{refused, missing, refused, refused, missing, refused}},
}

// tableKey is a route's row in the matrix: the hashed asset URLs change
// with their files, so they share one row.
func tableKey(pattern string) string {
	if strings.HasPrefix(pattern, "GET /static/") {
		return "GET /static/{asset}"
	}
	return pattern
}

// The router and the matrix agree: every route has a row, every row a
// route.
func TestAuthzTableCoversEveryRoute(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, _ := workspaceSite(t, st)
	seen := map[string]bool{}
	for _, r := range site.Routes() {
		key := tableKey(r.Pattern)
		seen[key] = true
		if _, ok := authzTable[key]; !ok {
			t.Errorf("route %q (permission %s) has no row in authzTable (internal/web/authz_test.go): add one with a sample path and the expected answer for anonymous, admin, editor, volunteer, treasurer and viewer", r.Pattern, r.Permission)
		}
	}
	for key := range authzTable {
		if !seen[key] {
			t.Errorf("authzTable has a row for %q, which the router no longer serves: remove it", key)
		}
	}
}

// Every route, requested as anonymous and as each role with a real
// session, answers as the matrix says.
func TestAuthzMatrix(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	// Six wrong sign-ins to one address in a row are throttled; that is
	// TestBruteForceSlowedThenLocked's business, not the matrix's.
	a.Accounts = auth.NewThrottle(1000)
	sessions := map[auth.Role]*session{}
	signInAll := func() {
		for _, role := range authzWho[1:] {
			s := signIn(t, site, a, role)
			sessions[role] = &s
		}
	}
	signInAll()
	routes := site.Routes()
	sort.SliceStable(routes, func(i, j int) bool {
		// Rows that end their session go last, so the others run on the
		// first set of sessions (sign-ins are slow: argon2id).
		return !authzTable[tableKey(routes[i].Pattern)].endsSession && authzTable[tableKey(routes[j].Pattern)].endsSession
	})
	for _, r := range routes {
		row, ok := authzTable[tableKey(r.Pattern)]
		if !ok {
			continue // TestAuthzTableCoversEveryRoute says so
		}
		method, path, _ := strings.Cut(r.Pattern, " ")
		if path == "" { // a pattern without a method
			method, path = http.MethodGet, r.Pattern
		}
		if row.path != "" {
			path = row.path
		}
		for i, who := range authzWho {
			var sess *session
			if who != auth.Anonymous {
				sess = sessions[who]
			}
			var code int
			var location, body string
			if method == http.MethodPost {
				form := url.Values{}
				for k, v := range row.form {
					form[k] = v
				}
				w := sess.post(t, site, path, form)
				code, location, body = w.Code, w.Header().Get("Location"), w.Body.String()
			} else {
				w := sess.get(t, site, path)
				code, location, body = w.Code, w.Header().Get("Location"), w.Body.String()
			}
			got := code
			if code == http.StatusSeeOther && strings.HasPrefix(location, "/admin/signin") {
				got = toSignIn
			}
			if got != row.want[i] {
				t.Errorf("%s %s as %s: %s, want %s\n%.300s", method, path, who, className(got, location), className(row.want[i], ""), body)
			}
		}
		if row.endsSession {
			signInAll()
		}
	}
}

func className(c int, location string) string {
	switch c {
	case toSignIn:
		return "303 to sign-in"
	case moved:
		return fmt.Sprintf("303 to %q", location)
	}
	return fmt.Sprint(c)
}
