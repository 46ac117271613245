package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/intake"
	"rollcall/internal/linkage"
	"rollcall/internal/store"
)

// Importing lists from the workspace (issue 15, item 1): the interchange
// CSV files are uploaded (streamed, sealed, checked: import_upload.go),
// checked by a dry run of the same import the command runs
// (intake.ImportReader), imported on confirmation, and deduplicated with
// the command's own run (store.DedupeAll). The slow steps run in the
// background; the job's page refreshes itself (a meta refresh, no script)
// until they end.

// DefaultImportLimit is the largest upload taken at once, in bytes (a
// million-row list is some 150 MB).
const DefaultImportLimit = 2 << 30

// importJobTTL is how long a job and its sealed files are kept.
const importJobTTL = 24 * time.Hour

// Stages of an import job.
const (
	stageChecking  = "checking"
	stageChecked   = "checked"   // the preview: confirm or not
	stageImporting = "importing" // confirmed
	stageImported  = "imported"
	stageFailed    = "failed" // the import found a problem: nothing of that file written
	stageDeduping  = "deduping"
	stageDeduped   = "deduped"
)

// importFile is one uploaded file of a job.
type importFile struct {
	Name    string
	Size    int64
	temp    *sealedTemp
	Checked intake.Result     // the dry run's counts
	Problem *intake.FileError // what the dry run or the import found wrong
	Failure string            // an error that is not the file's (the database's)
	Done    intake.Result     // what the import did
	Written bool
}

// Errors lists the file's problems line by line.
func (f *importFile) Errors() []*intake.RowError {
	if f.Problem == nil {
		return nil
	}
	return f.Problem.Rows
}

// FileProblem is a problem with the file as a whole (its header), if any.
func (f *importFile) FileProblem() *intake.RowError {
	if f.Problem == nil || f.Problem.Reason == nil {
		return nil
	}
	var re *intake.RowError
	if errors.As(f.Problem.Reason, &re) {
		return re
	}
	return &intake.RowError{Reason: f.Problem.Reason.Error()}
}

// More is how many bad rows were found beyond those listed.
func (f *importFile) More() int {
	if f.Problem == nil {
		return 0
	}
	return f.Problem.Total - len(f.Problem.Rows)
}

// importJob is one upload's way through check, import and dedupe.
type importJob struct {
	ID, Owner string
	Created   time.Time

	mu    sync.Mutex
	stage string
	files []*importFile
	// dedupe is what "find duplicates" did.
	dedupe *dedupeSummary

	done, total atomic.Int64 // bytes (check, import) or pairs (dedupe)
}

// dedupeSummary is what a dedupe run did, for its page.
type dedupeSummary struct {
	Records, PersonsBefore, PersonsAfter, Links, Moved, Queued, Undecidable int
	Failure                                                                 string
}

// importJobs are the jobs this process knows; a restart forgets them (and
// their sealed files become unreadable, so they are removed).
type importJobs struct {
	mu    sync.Mutex
	jobs  map[string]*importJob
	dir   string
	limit int64
	once  sync.Once
	err   error
}

// SetImportLimit sets the largest upload taken (0: DefaultImportLimit).
func (s *Server) SetImportLimit(n int64) { s.imports.limit = n }

func (s *Server) importRoutes() {
	s.handle("GET /admin/import/{$}", auth.EditRecords, s.importPage)
	s.handleStream("POST /admin/import/{$}", auth.EditRecords, func() bool { return true }, s.importUpload)
	s.handle("GET /admin/import/{id}", auth.EditRecords, s.importJobPage)
	s.handle("POST /admin/import/{id}/confirm", auth.EditRecords, s.importConfirm)
	s.handle("POST /admin/import/{id}/dedupe", auth.Link, s.importDedupe)
}

// tempDir is where uploads are sealed, made (and emptied) once.
func (s *Server) importDir() (string, error) {
	j := &s.imports
	j.once.Do(func() { j.dir, j.err = importTempDir(s.dataDir) })
	return j.dir, j.err
}

type importPageData struct {
	editFrame
	Job     *importJob
	Stage   string
	Files   []*importFile
	Dedupe  *dedupeSummary
	Percent int64
	Running bool
	Limit   int64
	Jobs    []*importJob
	// CanImport says every file passed its check.
	CanImport bool
}

// Say is what is wrong with a line in the page's language: each problem
// from the catalogue (admin.import.row.CODE, its values filled in), the
// import's own English words where the catalogue has none.
func (p importPageData) Say(e *intake.RowError) string {
	if len(e.Problems) == 0 {
		return e.Reason
	}
	said := make([]string, len(e.Problems))
	for i, pr := range e.Problems {
		id := "admin.import.row." + pr.Code
		m := p.T(id)
		if m == id {
			return e.Reason
		}
		args := make([]any, len(pr.Args))
		for j, a := range pr.Args {
			args[j] = a
		}
		said[i] = fill(m, args)
	}
	return strings.Join(said, "; ")
}

// MiB writes a byte count in MiB, one decimal.
func (p importPageData) MiB(n int64) string { return mib(n) }

func mib(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) }

func (s *Server) importPage(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showImportPage(w, r, acc, http.StatusOK, nil)
}

func (s *Server) showImportPage(w http.ResponseWriter, r *http.Request, acc *account, status int, problems []string) {
	p := importPageData{editFrame: s.editFrame(r, acc, "admin.import.title"), Limit: s.importLimit()}
	p.Problems = problems
	s.imports.mu.Lock()
	for _, j := range s.imports.jobs {
		if j.Owner == acc.User.ID {
			p.Jobs = append(p.Jobs, j)
		}
	}
	s.imports.mu.Unlock()
	s.renderStatus(w, status, "admin_import.html", p)
}

func (s *Server) importLimit() int64 {
	if s.imports.limit > 0 {
		return s.imports.limit
	}
	return DefaultImportLimit
}

// importUpload takes the files of the upload form, each streamed into a
// sealed file and checked as it comes; one refused file refuses them all,
// before anything is kept. The check by dry run then starts in the
// background and the editor is sent to the job's page.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request, acc *account) {
	limit := s.importLimit()
	refuse := func(status int, reason string, args ...any) {
		s.showImportPage(w, r, acc, status, []string{s.workspacePage(r).Tf(reason, args...)})
	}
	if r.ContentLength > limit+formOverhead {
		refuse(http.StatusRequestEntityTooLarge, "admin.import.err.too_large", "mib", mib(limit))
		return
	}
	mr, ok := s.streamedForm(w, r, limit)
	if !ok {
		return
	}
	dir, err := s.importDir()
	if err != nil {
		s.serverError(w, "import dir", err)
		return
	}
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(time.Hour))
	rc.SetWriteDeadline(time.Now().Add(time.Hour))
	var files []*importFile
	discard := func() {
		for _, f := range files {
			f.temp.remove()
		}
	}
	tokenOK := false
	var read int64
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			discard()
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				refuse(http.StatusRequestEntityTooLarge, "admin.import.err.too_large", "mib", mib(limit))
				return
			}
			s.plainError(w, http.StatusBadRequest, "The form was malformed.")
			return
		}
		if part.FormName() != "file" {
			v, err := readAll(part, 4096)
			if err != nil {
				discard()
				s.plainError(w, http.StatusRequestEntityTooLarge, "The form was too large or malformed.")
				return
			}
			if part.FormName() == formTokenField {
				tokenOK = subtle.ConstantTimeCompare([]byte(v), []byte(acc.CSRF)) == 1
			}
			continue
		}
		if !tokenOK {
			discard()
			s.plainError(w, http.StatusForbidden, "This form has expired. Go back, reload the page and send it again.")
			return
		}
		name := trimName(filepath.Base(part.FileName()))
		if part.FileName() == "" {
			part.Close()
			continue
		}
		t, err := sealUpload(dir, part, limit-read)
		var refusal *uploadRefusal
		switch {
		case errors.As(err, &refusal):
			discard()
			status := http.StatusBadRequest
			if refusal == errUploadTooLarge {
				status = http.StatusRequestEntityTooLarge
			}
			p := s.workspacePage(r)
			s.showImportPage(w, r, acc, status, []string{p.Tf("admin.import.refused", "file", name, "reason", p.Tf(refusal.Reason, "line", refusal.Line, "mib", mib(limit)))})
			return
		case err != nil:
			discard()
			s.serverError(w, "import upload", err)
			return
		}
		read += t.size
		files = append(files, &importFile{Name: name, Size: t.size, temp: t})
	}
	if !tokenOK {
		discard()
		s.plainError(w, http.StatusForbidden, "This form has expired. Go back, reload the page and send it again.")
		return
	}
	if len(files) == 0 {
		s.showImportPage(w, r, acc, http.StatusBadRequest, []string{s.workspacePage(r).T("admin.import.err.no_file")})
		return
	}
	job := &importJob{ID: store.NewID(), Owner: acc.User.ID, Created: time.Now(), stage: stageChecking, files: files}
	s.addImportJob(job)
	s.inBackground(func(ctx context.Context) { s.checkImport(ctx, job) })
	http.Redirect(w, r, "/admin/import/"+job.ID, http.StatusSeeOther)
}

// workspacePage is the frame of the workspace's language, for messages.
func (s *Server) workspacePage(r *http.Request) page {
	p, _ := s.page(s.preferredLanguage(r))
	return p
}

// addImportJob keeps a job, dropping those past their time.
func (s *Server) addImportJob(job *importJob) {
	j := &s.imports
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.jobs == nil {
		j.jobs = map[string]*importJob{}
	}
	for id, old := range j.jobs {
		old.mu.Lock()
		running := old.stage == stageChecking || old.stage == stageImporting || old.stage == stageDeduping
		old.mu.Unlock()
		if !running && time.Since(old.Created) > importJobTTL {
			for _, f := range old.files {
				f.temp.remove()
			}
			delete(j.jobs, id)
		}
	}
	j.jobs[job.ID] = job
}

// inBackground runs work the request started but must not wait for; Wait
// waits for it.
func (s *Server) inBackground(f func(context.Context)) {
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		f(context.Background())
	}()
}

// jobFiles runs f over the job's files, the bytes read counted in
// done of total.
func (job *importJob) eachFile(f func(file *importFile, progress func(done, total int64))) {
	var total int64
	for _, file := range job.files {
		total += file.Size
	}
	job.total.Store(total)
	job.done.Store(0)
	var before int64
	for _, file := range job.files {
		f(file, func(done, _ int64) { job.done.Store(before + done) })
		before += file.Size
		job.done.Store(before)
	}
}

// checkImport is the preview: a dry run of every file.
func (s *Server) checkImport(ctx context.Context, job *importJob) {
	job.eachFile(func(file *importFile, progress func(done, total int64)) {
		res, err := s.runImport(ctx, file, intake.Options{DryRun: true, Progress: progress})
		job.mu.Lock()
		file.Checked = res
		s.noteImportError(file, err)
		job.mu.Unlock()
	})
	job.mu.Lock()
	job.stage = stageChecked
	job.mu.Unlock()
}

// importGC counts the imports running, which collect garbage as the
// command does (see gcForImport).
var importGC struct {
	mu      sync.Mutex
	running int
	before  int
}

// gcForImport lets the heap grow to five times what is live between
// collections while an import runs, as `rollcall import` does: most of
// what an import allocates dies young, and under the server's soft memory
// limit the heap stays bounded all the same. The returned function puts
// the server's setting back when the last import ends.
func gcForImport() func() {
	importGC.mu.Lock()
	defer importGC.mu.Unlock()
	if importGC.running == 0 {
		importGC.before = debug.SetGCPercent(400)
	}
	importGC.running++
	return func() {
		importGC.mu.Lock()
		defer importGC.mu.Unlock()
		if importGC.running--; importGC.running == 0 {
			debug.SetGCPercent(importGC.before)
		}
	}
}

// runImport reads a sealed file back into the command's import.
func (s *Server) runImport(ctx context.Context, file *importFile, opt intake.Options) (intake.Result, error) {
	defer gcForImport()()
	rd, err := file.temp.open()
	if err != nil {
		return intake.Result{File: file.Name}, err
	}
	defer rd.Close()
	return intake.ImportReader(ctx, s.store, file.Name, rd, file.Size, opt)
}

func (s *Server) noteImportError(file *importFile, err error) {
	var fe *intake.FileError
	switch {
	case errors.As(err, &fe):
		file.Problem = fe
	case err != nil:
		s.log.Error("import", "err", err)
		file.Failure = "admin.import.err.failed"
	}
}

// job finds the account's own job (another's is as if there were none).
func (s *Server) job(r *http.Request, acc *account) *importJob {
	s.imports.mu.Lock()
	defer s.imports.mu.Unlock()
	job := s.imports.jobs[r.PathValue("id")]
	if job == nil || job.Owner != acc.User.ID {
		return nil
	}
	return job
}

func (s *Server) importJobPage(w http.ResponseWriter, r *http.Request, acc *account) {
	job := s.job(r, acc)
	if job == nil {
		s.notFound(w, r)
		return
	}
	p := importPageData{editFrame: s.editFrame(r, acc, "admin.import.job.title"), Job: job, Limit: s.importLimit()}
	job.mu.Lock()
	p.Stage, p.Dedupe = job.stage, job.dedupe
	p.CanImport = job.stage == stageChecked
	for _, f := range job.files {
		if f.Problem != nil || f.Failure != "" {
			p.CanImport = false
		}
		// a copy: the background work goes on writing the job's own
		copied := *f
		p.Files = append(p.Files, &copied)
	}
	job.mu.Unlock()
	p.Running = p.Stage == stageChecking || p.Stage == stageImporting || p.Stage == stageDeduping
	if p.Running {
		p.Refresh = 2
	}
	if total := job.total.Load(); total > 0 {
		p.Percent = job.done.Load() * 100 / total
	}
	s.render(w, "admin_import.html", p)
}

// importConfirm starts the import of a checked job in the background.
func (s *Server) importConfirm(w http.ResponseWriter, r *http.Request, acc *account) {
	job := s.job(r, acc)
	if job == nil {
		s.notFound(w, r)
		return
	}
	job.mu.Lock()
	ok := job.stage == stageChecked
	for _, f := range job.files {
		ok = ok && f.Problem == nil && f.Failure == ""
	}
	if ok {
		job.stage = stageImporting
	}
	job.mu.Unlock()
	if ok {
		actor := acc.User.ID
		s.inBackground(func(ctx context.Context) { s.runImportJob(ctx, job, actor) })
	}
	http.Redirect(w, r, "/admin/import/"+job.ID, http.StatusSeeOther)
}

// runImportJob imports the files one by one, all or nothing per file as
// the command does; the first file that fails stops the rest.
func (s *Server) runImportJob(ctx context.Context, job *importJob, actor string) {
	failed := false
	job.eachFile(func(file *importFile, progress func(done, total int64)) {
		if failed {
			return
		}
		res, err := s.runImport(ctx, file, intake.Options{Progress: progress, Actor: actor})
		job.mu.Lock()
		defer job.mu.Unlock()
		if err != nil {
			failed = true
			s.noteImportError(file, err)
			return
		}
		file.Done, file.Written = res, true
	})
	for _, f := range job.files {
		f.temp.remove()
	}
	// The public list is not rebuilt here, as after the command: that
	// takes longer than a large import, and serve rebuilds a stale list
	// within a minute.
	job.mu.Lock()
	job.stage = stageImported
	if failed {
		job.stage = stageFailed
	}
	job.mu.Unlock()
}

// importDedupe runs "find duplicates" after an import: the dedupe
// command's run, applied, in the background.
func (s *Server) importDedupe(w http.ResponseWriter, r *http.Request, acc *account) {
	job := s.job(r, acc)
	if job == nil {
		s.notFound(w, r)
		return
	}
	job.mu.Lock()
	ok := job.stage == stageImported || job.stage == stageDeduped
	if ok {
		job.stage = stageDeduping
		job.dedupe = nil
	}
	job.mu.Unlock()
	if ok {
		actor := acc.User.ID
		s.inBackground(func(ctx context.Context) {
			job.done.Store(0)
			job.total.Store(0)
			run, err := s.store.DedupeAll(ctx, actor, true, linkage.Options{Progress: func(done, total int) {
				job.total.Store(int64(total))
				job.done.Store(int64(done))
			}})
			sum := &dedupeSummary{}
			if err != nil {
				s.log.Error("dedupe", "err", err)
				sum.Failure = "admin.import.err.dedupe"
				var conflict *linkage.DecisionConflictError
				if errors.As(err, &conflict) {
					sum.Failure = "admin.import.err.dedupe_conflict"
				}
			}
			if run != nil {
				sum.Records, sum.PersonsBefore, sum.PersonsAfter = len(run.Input.Records), run.Plan.PersonsBefore, run.Plan.PersonsAfter
				sum.Links, sum.Moved, sum.Queued, sum.Undecidable = len(run.Plan.NewLinks), len(run.Plan.Moves), len(run.Result.Review), len(run.Result.Undecidable)
			}
			job.mu.Lock()
			job.dedupe, job.stage = sum, stageDeduped
			job.mu.Unlock()
		})
	}
	http.Redirect(w, r, "/admin/import/"+job.ID, http.StatusSeeOther)
}

// trimName keeps a file's name short on the page.
func trimName(name string) string {
	if len(name) > 120 {
		return strings.ToValidUTF8(name[:120], "") + "…"
	}
	return name
}
