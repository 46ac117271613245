package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rollcall/internal/openrosa/odkcrypt/odkcrypttest"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// enketoBundle is Enketo (enketo-core and enketo-transformer from the npm
// registry, bundled for the browser by scripts/enketo-up). Missing, the
// test skips loudly, or fails under ROLLCALL_REQUIRE_BROWSER=1 (CI).
func enketoBundle(t *testing.T) string {
	t.Helper()
	path := filepath.Join("..", "..", ".enketo", "enketo.js")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("ROLLCALL_REQUIRE_BROWSER") == "1" {
			t.Fatalf("Enketo is required (ROLLCALL_REQUIRE_BROWSER=1) but %s is missing: run scripts/enketo-up", path)
		}
		fmt.Fprintf(os.Stderr, "\n*** SKIPPING THE ENKETO TEST: no %s. Run scripts/enketo-up. ***\n\n", path)
		t.Skipf("SKIPPING: no %s; run scripts/enketo-up", path)
	}
	return path
}

// enketoPage renders an XForm as Enketo Express does: enketo-transformer
// makes the HTML form and the model, enketo-core's Form runs it, and the
// language menu moves out of the form into .form-language-selector (left
// in the form, its change would be taken for an answer). fill sets
// answers (radio and checkbox by value), validates as the Submit button
// would, and returns the instance Enketo produced.
const enketoPage = `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><script src="/enketo.js"></script></head>
<body><span class="form-language-selector"></span><div id="host"></div><script>
window.render = async function (url) {
  const result = await window.enketoTransform({ xform: await (await fetch(url)).text() });
  document.getElementById('host').innerHTML = result.form;
  const form = new window.EnketoForm(document.querySelector('form.or'), { modelStr: result.model }, {});
  window.enketoForm = form;
  const loadErrors = form.init();
  return {
    loadErrors: loadErrors.map(String),
    languages: Array.from(document.querySelectorAll('#form-languages option')).map(o => o.value),
    fields: Array.from(new Set(Array.from(document.querySelectorAll('form.or [name]')).map(e => e.name))),
  };
};
window.setLanguage = function (lang) {
  const sel = document.querySelector('#form-languages');
  sel.value = lang;
  sel.dispatchEvent(new Event('change', { bubbles: true }));
  const label = document.querySelector('[name="/data/name"]').closest('label, fieldset').querySelector('.question-label.active');
  return label ? label.textContent.trim() : '';
};
window.unlabelled = function () {
  const questions = Array.from(document.querySelectorAll('form.or .question'));
  if (questions.length < 10) return ['only ' + questions.length + ' questions found'];
  return questions
    .filter(q => !q.querySelector('.question-label.active') || q.querySelector('.question-label.active').textContent.trim() === '')
    .map(q => (q.querySelector('[name]') || {}).name);
};
window.fill = async function (values) {
  const formEl = document.querySelector('form.or');
  for (const [name, v] of Object.entries(values)) {
    const els = Array.from(formEl.querySelectorAll('[name="' + name + '"]'));
    if (els.length === 0) throw new Error('no field ' + name);
    if (els[0].type === 'radio' || els[0].type === 'checkbox') {
      const el = els.find(e => e.value === v);
      if (!el) throw new Error('no choice ' + v + ' of ' + name);
      if (!el.checked) el.click(); // a second click would take the answer back
    } else {
      els[0].value = v;
      els[0].dispatchEvent(new Event('change', { bubbles: true }));
    }
  }
  let valid;
  try { valid = await window.enketoForm.validate(); } catch (e) { return { valid: false, invalid: ['validate threw: ' + e + ' ' + (e.message || '') + ' ' + (e.stack || '').slice(0, 800)], instance: '' }; }
  const invalid = Array.from(formEl.querySelectorAll('.invalid-required, .invalid-constraint'))
    .map(e => (e.querySelector('[name]') || {}).name);
  return { valid, invalid, instance: window.enketoForm.getDataStr() };
};
</script></body></html>`

type enketoRender struct {
	LoadErrors []string `json:"loadErrors"`
	Languages  []string `json:"languages"`
	Fields     []string `json:"fields"`
}

type enketoFill struct {
	Valid    bool     `json:"valid"`
	Invalid  []string `json:"invalid"`
	Instance string   `json:"instance"`
}

// Each XForm Rollcall serves to phones (carrying the encryption key, as
// serve makes them) renders in Enketo (from the npm registry) in Chromium
// without an error, in all four languages; Enketo applies the form's
// limits; the instance it produces, encrypted with the form's key or
// plain, is accepted by the submission endpoint and lands where a phone's
// would.
func TestEnketoRendersEachXFormAndItsInstanceIsAccepted(t *testing.T) {
	bundle := enketoBundle(t)
	browser, _ := browserSite(t)
	st := storetest.Open(t, store.SQLite)
	rig := newPhoneRig(t, st, web.EvidenceConfig{})
	// The forms as serve makes them: carrying the OpenRosa key.
	if err := rig.site.EnableOpenRosaEncryption(context.Background()); err != nil {
		t.Fatal(err)
	}
	forms := map[string]string{}
	for _, id := range []string{"rollcall_report", "rollcall_record"} {
		res, body := rig.get(rig.base + "/forms/" + id + "/form.xml")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", id, res.StatusCode)
		}
		forms[id] = body
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, enketoPage)
	})
	mux.HandleFunc("GET /enketo.js", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, bundle) })
	mux.HandleFunc("GET /form/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, forms[r.PathValue("id")])
	})
	pages := httptest.NewServer(mux)
	t.Cleanup(pages.Close)

	answers := map[string]map[string]string{
		"rollcall_report": {"/data/name": "Ақылбек Сапаров", "/data/region": "Nukus", "/data/status": "detained", "/data/year": "2022", "/data/place": "Nukus SIZO"},
		"rollcall_record": {"/data/name": "Ақылбек Сапаров", "/data/sex": "m", "/data/status": "detained", "/data/date": "2022-07-02", "/data/roles": "protester"},
	}
	// A year outside the forms' limits (the report's year may not lie
	// ahead; a birth year starts at 1900): Enketo must say so.
	badYear := map[string]map[string]string{
		"rollcall_report": {"/data/year": fmt.Sprint(time.Now().Year() + 1)},
		"rollcall_record": {"/data/birth_year": "1800"},
	}
	for _, id := range []string{"rollcall_report", "rollcall_record"} {
		t.Run(id, func(t *testing.T) {
			tb := openTab(t, browser, true)
			tb.navigate(t, pages.URL+"/")
			ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
			defer cancel()
			rendered, err := chromedp.Run(ctx, chromedp.Evaluate[enketoRender](`render("/form/`+id+`")`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("Enketo failed to render the form: %v", err)
			}
			if len(rendered.LoadErrors) != 0 {
				t.Fatalf("Enketo's load errors: %q", rendered.LoadErrors)
			}
			if !slices.Equal(rendered.Languages, []string{"en", "kaa", "ru", "uz"}) {
				t.Errorf("Enketo offers the languages %q, want en, kaa, ru, uz", rendered.Languages)
			}
			for _, f := range []string{"/data/name", "/data/status", "/data/photo", "/data/video", "/data/audio", "/data/meta/instanceID"} {
				if !slices.Contains(rendered.Fields, f) {
					t.Errorf("Enketo's form has no field %s (fields: %q)", f, rendered.Fields)
				}
			}
			// Every question has its label in every language (itext), and
			// the languages differ.
			labels := map[string]string{}
			for _, lang := range []string{"kaa", "ru", "uz", "en"} {
				label, err := chromedp.Run(ctx, chromedp.Evaluate[string](`setLanguage("`+lang+`")`))
				if err != nil || label == "" {
					t.Fatalf("switching to %s: %q %v", lang, label, err)
				}
				labels[lang] = label
				missing, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`unlabelled()`))
				if err != nil || len(missing) != 0 {
					t.Errorf("in %s, Enketo shows questions without a label: %q %v", lang, missing, err)
				}
			}
			if labels["ru"] == labels["en"] || labels["kaa"] == labels["ru"] {
				t.Errorf("the name's label does not change with the language: %q", labels)
			}

			bad := map[string]string{}
			for k, v := range answers[id] {
				bad[k] = v
			}
			for k, v := range badYear[id] {
				bad[k] = v
			}
			filled := fillEnketo(t, ctx, bad)
			if filled.Valid {
				t.Errorf("Enketo took %v, outside the form's limits", badYear[id])
			}
			if id == "rollcall_record" {
				filled = fillEnketo(t, ctx, map[string]string{"/data/birth_year": "1990"})
			} else {
				filled = fillEnketo(t, ctx, map[string]string{"/data/year": "2022"})
			}
			if !filled.Valid {
				t.Fatalf("Enketo finds the answers invalid: %q", filled.Invalid)
			}
			if len(tb.errors) != 0 {
				t.Errorf("the browser reported errors: %q", tb.errors)
			}

			// The report goes encrypted as a phone would send it (with the
			// key its form carries), the record plain.
			send := filled.Instance
			var files []attachment
			if id == "rollcall_report" {
				send, files = encryptLikeCollect(t, forms[id], filled.Instance)
			}
			res, body := rig.submit(rig.base, send, files, false, false)
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("the submission endpoint refused Enketo's instance: %d %s\n%s", res.StatusCode, orMessage(t, body), filled.Instance)
			}
			switch id {
			case "rollcall_report":
				reports, _, err := st.Reports(context.Background(), store.ReportFilter{State: store.ReportOpen})
				if err != nil || len(reports) != 1 || reports[0].Name != "Ақылбек Сапаров" || reports[0].Place != "Nukus SIZO" {
					t.Fatalf("triage after Enketo's report: %+v %v", reports, err)
				}
			case "rollcall_record":
				recs, err := st.Records(context.Background(), store.RecordFilter{EnteredBy: rig.volunteer.ID})
				if err != nil || len(recs) != 1 || recs[0].Name != "Ақылбек Сапаров" || recs[0].BirthYear != 1990 {
					t.Fatalf("the volunteer's records after Enketo's record: %+v %v", recs, err)
				}
			}
		})
	}
}

func fillEnketo(t *testing.T, ctx context.Context, values map[string]string) enketoFill {
	t.Helper()
	arg, _ := json.Marshal(values)
	filled, err := chromedp.Run(ctx, chromedp.Evaluate[enketoFill](`fill(`+string(arg)+`)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("filling the form in Enketo: %v", err)
	}
	return filled
}

// encryptLikeCollect encrypts an instance with the key and version of its
// form, as Collect does with a form that carries base64RsaPublicKey: the
// manifest to send as xml_submission_file, and submission.xml.enc.
func encryptLikeCollect(t *testing.T, form, instance string) (string, []attachment) {
	t.Helper()
	key := regexp.MustCompile(`base64RsaPublicKey="([^"]+)"`).FindStringSubmatch(form)
	root := regexp.MustCompile(`<data [^>]*id="([^"]+)"[^>]* version="([^"]+)"`).FindStringSubmatch(instance)
	instanceID := regexp.MustCompile(`<instanceID>([^<]+)</instanceID>`).FindStringSubmatch(instance)
	if key == nil || root == nil || instanceID == nil {
		t.Fatalf("no key in the form, or no id, version or instanceID in the instance:\n%s", instance)
	}
	pub, err := odkcrypttest.ParsePublicKey(key[1])
	if err != nil {
		t.Fatal(err)
	}
	manifest, files, err := odkcrypttest.Encrypt(pub, root[1], root[2], instanceID[1], []byte(instance))
	if err != nil {
		t.Fatal(err)
	}
	return string(manifest), encryptedFiles(files, "submission.xml.enc")
}
