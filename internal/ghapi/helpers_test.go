package ghapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testToken = "ghs_TESTSECRETdonotleak0123456789"

// sleeps records the waits a Client asks for, and returns at once.
type sleeps struct {
	mu sync.Mutex
	ds []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.ds = append(s.ds, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.ds...)
}

// logs collects Logf lines.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) logf(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// fixture is a Client talking to a real loopback server that runs script: the n-th request
// (from 0) is answered by script(n, w, r). hits counts what the server received.
type fixture struct {
	c      *Client
	srv    *httptest.Server
	sleeps *sleeps
	logs   *logs
	hits   atomic.Int64
}

func newFixture(t *testing.T, opts Options, script func(n int, w http.ResponseWriter, r *http.Request)) *fixture {
	t.Helper()
	f := &fixture{sleeps: &sleeps{}, logs: &logs{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(f.hits.Add(1)) - 1
		script(n, w, r)
	}))
	t.Cleanup(f.srv.Close)
	if opts.BaseURL == "" {
		opts.BaseURL = f.srv.URL
	}
	if opts.Token == "" {
		opts.Token = testToken
	}
	if opts.Sleep == nil {
		opts.Sleep = f.sleeps.sleep
	}
	opts.Logf = f.logs.logf
	c, err := New(opts)
	if err != nil {
		t.Fatalf("New(%+v) = %v", opts, err)
	}
	f.c = c
	return f
}

// reply writes a JSON answer with headers given as "Key: value" pairs.
func reply(w http.ResponseWriter, code int, body string, headers ...string) {
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

const repoJSON = `{"id":1,"name":"r","full_name":"o/r"}`

// tempFile writes content to a file under t.TempDir and opens it.
func tempFile(t *testing.T, name, content string) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}
