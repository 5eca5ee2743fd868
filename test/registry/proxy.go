package registry

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Kind is a kind of registry request, as the OCI distribution specification names its
// endpoints.
type Kind string

// Request kinds the proxy counts.
const (
	Ping         Kind = "ping"          // GET /v2/
	ManifestGet  Kind = "manifest GET"  // GET /v2/<name>/manifests/<ref>
	ManifestHead Kind = "manifest HEAD" // HEAD /v2/<name>/manifests/<ref>
	ManifestPut  Kind = "manifest PUT"  // PUT /v2/<name>/manifests/<ref>
	BlobGet      Kind = "blob GET"      // GET /v2/<name>/blobs/<digest>
	BlobHead     Kind = "blob HEAD"     // HEAD /v2/<name>/blobs/<digest>
	BlobPost     Kind = "blob POST"     // POST /v2/<name>/blobs/uploads/ (starts an upload)
	BlobMount    Kind = "blob mount"    // POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repo>
	BlobPatch    Kind = "blob PATCH"    // PATCH /v2/<name>/blobs/uploads/<id> (a chunk)
	BlobPut      Kind = "blob PUT"      // PUT /v2/<name>/blobs/uploads/<id>?digest=<digest> (completes)
	Other        Kind = "other"         // tags list, catalog, deletes, ...
)

// Counts is what the proxy saw. Injected responses count as requests too.
type Counts struct {
	// Requests counts requests by kind.
	Requests map[Kind]int
	// BlobBytesDown is the body bytes of blob GET responses: blobs read from the registry.
	BlobBytesDown int64
	// BlobBytesUp is the body bytes of blob upload requests (POST, PATCH, PUT).
	BlobBytesUp int64
	// Uploads counts completed blob uploads (PUT ?digest=) by digest.
	Uploads map[string]int
	// Mounts counts successful cross-repository mounts (201 Created) by digest.
	Mounts map[string]int
	// Injected counts responses the proxy made up with Inject.
	Injected int
}

// Of returns the number of requests of kind k.
func (c Counts) Of(k Kind) int { return c.Requests[k] }

// BlobBytes is the blob bytes moved either way.
func (c Counts) BlobBytes() int64 { return c.BlobBytesDown + c.BlobBytesUp }

// String renders the counts on one line, kinds in a fixed order.
func (c Counts) String() string {
	var parts []string
	for _, k := range []Kind{Ping, ManifestGet, ManifestHead, ManifestPut, BlobGet, BlobHead, BlobPost, BlobMount, BlobPatch, BlobPut, Other} {
		if n := c.Requests[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", k, n))
		}
	}
	parts = append(parts, fmt.Sprintf("blob bytes down=%d up=%d", c.BlobBytesDown, c.BlobBytesUp))
	if c.Injected > 0 {
		parts = append(parts, fmt.Sprintf("injected=%d", c.Injected))
	}
	return strings.Join(parts, ", ")
}

// Proxy is a reverse proxy in front of one registry that counts what passes through it.
type Proxy struct {
	// Host is the proxy's host:port on 127.0.0.1: use it as the registry in references.
	Host string
	// URL is http://Host.
	URL string

	target *url.URL
	rp     *httputil.ReverseProxy

	mu     sync.Mutex
	counts Counts
	faults []fault
}

type fault struct {
	kind   Kind
	status int
	left   int
}

// NewProxy starts a counting proxy on 127.0.0.1 in front of the registry at targetURL
// (http://host:port) until t ends. The Host header passes through, so registries that build
// absolute upload URLs from it send clients back through the proxy.
func NewProxy(t testing.TB, targetURL string) *Proxy {
	t.Helper()
	target, err := url.Parse(targetURL)
	if err != nil {
		t.Fatalf("parsing the registry URL %q: %v", targetURL, err)
	}
	p := &Proxy{target: target, counts: Counts{Requests: map[Kind]int{}, Uploads: map[string]int{}, Mounts: map[string]int{}}}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
		},
		ModifyResponse: p.countResponse,
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	p.Host = strings.TrimPrefix(srv.URL, "http://")
	return p
}

// Counts returns a copy of the counts so far.
func (p *Proxy) Counts() Counts {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.counts
	c.Requests = clone(p.counts.Requests)
	c.Uploads, c.Mounts = clone(p.counts.Uploads), clone(p.counts.Mounts)
	return c
}

// Reset zeroes the counts.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts = Counts{Requests: map[Kind]int{}, Uploads: map[string]int{}, Mounts: map[string]int{}}
}

// Inject answers the next times requests of kind with status (and a JSON error body in the
// distribution specification's shape) instead of passing them on. A status of 429 carries a
// Retry-After of 0 seconds.
func (p *Proxy) Inject(kind Kind, status, times int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, fault{kind: kind, status: status, left: times})
}

// Classify returns the kind of a registry request.
func Classify(method, path, rawQuery string) Kind {
	rest, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		if path == "/v2" {
			return Ping
		}
		return Other
	}
	if rest == "" {
		return Ping
	}
	switch {
	case strings.Contains(rest, "/manifests/"):
		switch method {
		case http.MethodGet:
			return ManifestGet
		case http.MethodHead:
			return ManifestHead
		case http.MethodPut:
			return ManifestPut
		}
	case strings.Contains(rest, "/blobs/uploads"):
		switch method {
		case http.MethodPost:
			if q, err := url.ParseQuery(rawQuery); err == nil && q.Get("mount") != "" {
				return BlobMount
			}
			return BlobPost
		case http.MethodPatch:
			return BlobPatch
		case http.MethodPut:
			return BlobPut
		}
	case strings.Contains(rest, "/blobs/"):
		switch method {
		case http.MethodGet:
			return BlobGet
		case http.MethodHead:
			return BlobHead
		}
	}
	return Other
}

// ServeHTTP counts r, answers it with an injected fault or passes it on.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := Classify(r.Method, r.URL.Path, r.URL.RawQuery)
	p.mu.Lock()
	p.counts.Requests[kind]++
	status := 0
	for i := range p.faults {
		if f := &p.faults[i]; f.kind == kind && f.left > 0 {
			f.left--
			status = f.status
			p.counts.Injected++
			break
		}
	}
	p.mu.Unlock()
	if status != 0 {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
		}
		w.Header().Set("Content-Type", "application/json")
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"injected by the test proxy: %d"}]}`, status)
		return
	}
	switch kind {
	case BlobPost, BlobPatch, BlobPut, BlobMount:
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &countingReader{ReadCloser: r.Body, add: func(n int) { p.add(func(c *Counts) { c.BlobBytesUp += int64(n) }) }}
		}
	}
	p.rp.ServeHTTP(w, r)
}

// countResponse counts blob bytes read and completed uploads.
func (p *Proxy) countResponse(resp *http.Response) error {
	req := resp.Request
	kind := Classify(req.Method, req.URL.Path, req.URL.RawQuery)
	switch {
	case kind == BlobGet && resp.StatusCode == http.StatusOK:
		resp.Body = &countingReader{ReadCloser: resp.Body, add: func(n int) { p.add(func(c *Counts) { c.BlobBytesDown += int64(n) }) }}
	case kind == BlobPut && resp.StatusCode == http.StatusCreated:
		d := req.URL.Query().Get("digest")
		p.add(func(c *Counts) { c.Uploads[d]++ })
	case kind == BlobMount && resp.StatusCode == http.StatusCreated:
		d := req.URL.Query().Get("mount")
		p.add(func(c *Counts) { c.Mounts[d]++ })
	}
	return nil
}

func clone[K comparable](m map[K]int) map[K]int {
	c := make(map[K]int, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func (p *Proxy) add(f func(*Counts)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(&p.counts)
}

type countingReader struct {
	io.ReadCloser
	add func(int)
}

func (r *countingReader) Read(b []byte) (int, error) {
	n, err := r.ReadCloser.Read(b)
	if n > 0 {
		r.add(n)
	}
	return n, err
}
