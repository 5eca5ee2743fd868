// Package ghemu is a stateful emulator of the parts of GitHub's REST API that
// shipkit calls, for integration tests, end-to-end runs and local demos.
//
// Repositories are real bare git repositories on disk, read and written with
// the git CLI, so the API and git pushes (for example through
// test/gitserver) see one truth. Releases, pull requests, issues, labels,
// branch protection, commit statuses, check runs and workflow runs live in
// memory.
//
// Responses follow GitHub's status codes, messages and JSON shapes closely
// enough that go-github works against the emulator unchanged; when the
// OpenAPI validator (test/ghemu/apivalidate) is wired in, every request and
// response is checked against GitHub's published description and any
// mismatch is reported by Problems.
//
// Tests arrange state with Go methods (Protect, DenyActionsPullRequests,
// SetStatus, SetCheckRun, AddWorkflowRun, InjectFault) and read it back
// with snapshot accessors (Releases, PullRequests, Issues, Tags, Ref,
// Count). Those
// methods panic when the repository was not added with AddRepo: that is a
// mistake in the test. The package does not import testing.
package ghemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a Server.
type Options struct {
	// Token, when set, makes authentication required: every request must
	// carry "Authorization: Bearer <Token>" or "Authorization: token
	// <Token>", else it gets 401 "Bad credentials".
	Token string

	// NoValidate turns off the OpenAPI validation of requests and
	// responses, which is on by default whenever the validator package is
	// available.
	NoValidate bool

	// Addr is the address to listen on; empty means 127.0.0.1 with a
	// random port.
	Addr string

	// GitURL is the base URL under which the repositories are served to git
	// clients as <owner>/<name>.git (for example a test/gitserver URL). It
	// only fills clone_url in responses; when empty, the emulator's own URL
	// is used.
	GitURL string
}

// validator is what the emulator needs from test/ghemu/apivalidate.
type validator interface {
	Wrap(http.Handler) http.Handler
	Problems() []string
	Reset()
}

// newValidator builds the OpenAPI validator; nil while it is not wired in.
var newValidator func() (validator, error)

// Server is a running emulator on 127.0.0.1. Its methods are safe for
// concurrent use.
type Server struct {
	opts    Options
	url     string
	srv     *http.Server
	ln      net.Listener
	home    string
	val     validator
	handler http.Handler
	start   time.Time
	nextID  int64

	mu       sync.Mutex
	repos    map[string]*repo // by lower-case "owner/name"
	counts   map[string]int
	total    int
	used     int // requests against the advertised rate limit; ResetCounts keeps it
	faults   []*faultState
	problems []string
	gql      graphqlState // GraphQL-only state: see graphql.go
}

// New starts a server, by default on 127.0.0.1 with a random port.
func New(opts Options) (*Server, error) {
	home, err := os.MkdirTemp("", "ghemu-home-")
	if err != nil {
		return nil, fmt.Errorf("creating git home: %w", err)
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		os.RemoveAll(home)
		return nil, fmt.Errorf("listening on %q: %w", addr, err)
	}
	s := &Server{
		opts:   opts,
		url:    "http://" + ln.Addr().String(),
		ln:     ln,
		home:   home,
		start:  time.Now().UTC().Truncate(time.Second),
		nextID: 1000,
		repos:  map[string]*repo{},
		counts: map[string]int{},
	}
	var inner http.Handler = http.HandlerFunc(s.route)
	if !opts.NoValidate && newValidator != nil {
		v, err := newValidator()
		if err != nil {
			ln.Close()
			os.RemoveAll(home)
			return nil, fmt.Errorf("loading the OpenAPI validator: %w", err)
		}
		s.val = v
		inner = aroundOpenAPI(v.Wrap(inner), inner)
	}
	s.handler = s.front(inner)
	s.srv = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// URL returns the API's base URL, without a trailing slash: the value for
// GITHUB_API_URL (go-github wants URL()+"/").
func (s *Server) URL() string { return s.url }

// Handler returns the emulator's HTTP handler, for serving it elsewhere.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops the server and removes its temporary files. The repositories
// added with AddRepo are left alone.
func (s *Server) Close() {
	s.srv.Close()
	os.RemoveAll(s.home)
}

// id returns a new unique numeric id.
func (s *Server) id() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return s.nextID
}

// AddRepo makes the bare git repository at gitDir known as owner/name with
// the given default branch.
func (s *Server) AddRepo(owner, name, gitDir, defaultBranch string) error {
	if owner == "" || name == "" || strings.Contains(owner+name, "/") {
		return fmt.Errorf("adding repository %q/%q: owner and name must be non-empty and contain no slash", owner, name)
	}
	if defaultBranch == "" {
		return fmt.Errorf("adding repository %s/%s: give a default branch", owner, name)
	}
	g := &gitCLI{dir: gitDir, home: s.home}
	if _, err := g.run(nil, "rev-parse", "--git-dir"); err != nil {
		return fmt.Errorf("adding repository %s/%s: %q is not a git repository: %w", owner, name, gitDir, err)
	}
	r := newRepo(owner, name, defaultBranch, g, s.id())
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repos[strings.ToLower(owner+"/"+name)] = r
	return nil
}

// repo returns the repository owner/name, or nil.
func (s *Server) repo(owner, name string) *repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.repos[strings.ToLower(owner+"/"+name)]
}

// mustRepo returns the repository owner/name or panics: for the Go methods
// tests call, where an unknown repository is a mistake in the test.
func (s *Server) mustRepo(owner, name string) *repo {
	r := s.repo(owner, name)
	if r == nil {
		panic(fmt.Sprintf("ghemu: unknown repository %s/%s: call AddRepo first", owner, name))
	}
	return r
}

// Count returns how many requests reached the operation with the given
// octokit operationId (for example "repos/create-release") since the last
// ResetCounts, faulted ones included.
func (s *Server) Count(operationID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[operationID]
}

// Counts returns a copy of the request counts by operationId.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// Total returns how many requests the server received since the last
// ResetCounts.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// ResetCounts sets all request counts to zero.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]int{}
	s.total = 0
}

// Problems returns what went wrong on the server side: OpenAPI validation
// problems of requests and responses, handler panics, and requests that
// matched no operation. A correct client and emulator leave it empty.
func (s *Server) Problems() []string {
	s.mu.Lock()
	out := slices.Clone(s.problems)
	s.mu.Unlock()
	if s.val != nil {
		for _, p := range s.val.Problems() {
			if !specDefect(p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// specDefect reports whether a validation problem comes from a defect of
// GitHub's description rather than from the emulator: the 409 body of
// repos/create-or-update-file-contents is oneOf two schemas that every
// object matches (no required properties, no additionalProperties: false),
// so GitHub's own answers fail "exactly one" too.
func specDefect(problem string) bool {
	return strings.Contains(problem, "(repos/create-or-update-file-contents) answered 409") &&
		strings.Contains(problem, "more than one oneOf")
}

// Validating reports whether requests and responses are checked against
// GitHub's OpenAPI description.
func (s *Server) Validating() bool { return s.val != nil }

// ResetProblems forgets the problems recorded so far.
func (s *Server) ResetProblems() {
	s.mu.Lock()
	s.problems = nil
	s.mu.Unlock()
	if s.val != nil {
		s.val.Reset()
	}
}

func (s *Server) problem(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

// rateLimit is the primary rate limit the emulator advertises.
const rateLimit = 5000

// front is the outer layer every request passes: counting, rate-limit
// headers, injected faults, authentication and panic recovery.
func (s *Server) front(inner http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, _ := matchRoute(r)
		op := ""
		if rt != nil {
			op = rt.op
		}
		s.mu.Lock()
		s.total++
		s.used++
		used := s.used
		if op != "" {
			s.counts[op]++
		}
		s.mu.Unlock()

		h := w.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(rateLimit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(max(rateLimit-used, 0)))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(s.start.Add(time.Hour).Unix(), 10))
		h.Set("X-RateLimit-Used", strconv.Itoa(used))
		h.Set("X-RateLimit-Resource", "core")
		h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
		h.Set("X-GitHub-Media-Type", "github.v3; format=json")

		if f := s.takeFault(r, op); f != nil {
			if f.Delay > 0 {
				select {
				case <-time.After(f.Delay):
				case <-r.Context().Done():
					return
				}
			}
			if f.Status != 0 {
				for k, vs := range f.Header {
					h[http.CanonicalHeaderKey(k)] = slices.Clone(vs)
				}
				if h.Get("Content-Type") == "" && f.Body != "" {
					h.Set("Content-Type", "application/json; charset=utf-8")
				}
				w.WriteHeader(f.Status)
				_, _ = w.Write([]byte(f.Body))
				return
			}
		}

		if s.opts.Token != "" && !s.authorized(r) {
			writeError(w, http.StatusUnauthorized, "Bad credentials")
			return
		}

		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.problem("panic serving %s %s: %v", r.Method, r.URL.Path, v)
				writeError(w, http.StatusInternalServerError, "Server Error")
			}
		}()
		inner.ServeHTTP(w, r)
	})
}

func (s *Server) authorized(r *http.Request) bool {
	a := r.Header.Get("Authorization")
	for _, scheme := range []string{"Bearer ", "bearer ", "token ", "Token "} {
		if tok, ok := strings.CutPrefix(a, scheme); ok {
			return tok == s.opts.Token
		}
	}
	return false
}

// route dispatches a request to its operation's handler.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	rt, p := matchRoute(r)
	if rt == nil {
		s.problem("unexpected request: %s %s matches no emulated operation", r.Method, r.URL.RequestURI())
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	c := &call{s: s, w: w, r: r, p: p}
	if rt.repo {
		c.repo = s.repo(p["owner"], p["repo"])
		if c.repo == nil {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
	}
	rt.h(c)
}

// call is one request being served.
type call struct {
	s    *Server
	w    http.ResponseWriter
	r    *http.Request
	p    map[string]string
	repo *repo
}

// docURL is the documentation_url of error responses.
const docURL = "https://docs.github.com/rest"

// writeJSON writes v as the JSON response body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encoding response: %v", err))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError writes a GitHub error body: message, documentation_url, status.
func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, obj{"message": message, "documentation_url": docURL, "status": strconv.Itoa(status)})
}

// validationFailed writes GitHub's 422 "Validation Failed" with one error
// entry.
func validationFailed(w http.ResponseWriter, resource, field, code, message string) {
	e := obj{"resource": resource, "field": field, "code": code}
	if message != "" {
		e["message"] = message
	}
	writeJSON(w, http.StatusUnprocessableEntity, obj{
		"message": "Validation Failed", "errors": []obj{e},
		"documentation_url": docURL, "status": "422",
	})
}

func (c *call) json(status int, v any)      { writeJSON(c.w, status, v) }
func (c *call) fail(status int, msg string) { writeError(c.w, status, msg) }
func (c *call) notFound()                   { writeError(c.w, http.StatusNotFound, "Not Found") }
func (c *call) query(name string) string    { return c.r.URL.Query().Get(name) }
func (c *call) created(location string, v any) {
	c.w.Header().Set("Location", location)
	c.json(201, v)
}
func (c *call) internal(err error) {
	c.s.problem("%s %s: %v", c.r.Method, c.r.URL.Path, err)
	c.fail(500, "Server Error")
}
func (c *call) invalid(field, msg string) { validationFailed(c.w, "", field, "invalid", msg) }
func (c *call) badJSON()                  { c.fail(http.StatusBadRequest, "Problems parsing JSON") }

// decode reads the JSON request body into v; on failure it answers 400 and
// returns false.
func (c *call) decode(v any) bool {
	dec := json.NewDecoder(c.r.Body)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		c.badJSON()
		return false
	}
	return true
}
