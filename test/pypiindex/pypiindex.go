// Package pypiindex is a small package index on 127.0.0.1 that serves the shape of PyPI's JSON
// API (https://docs.pypi.org/api/json/) for the "is this version already published?" check:
// GET /pypi/<project>/<version>/json and GET /pypi/<project>/json. It also takes uploads the way
// PyPI's upload API does (POST /legacy/, multipart, as twine sends them; see Uploads). Tests set
// the published versions and inject faults (5xx answers, delays); it counts requests.
package pypiindex

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Server is a running index.
type Server struct {
	srv *httptest.Server

	mu        sync.Mutex
	projects  map[string][]string // normalised name -> versions as published
	faults    []Fault
	requests  int
	byProject map[string]int
	uploads   []Upload
}

// Upload is one distribution file uploaded to the index.
type Upload struct {
	Project, Version, Filename string
	SHA256                     string // hex digest of the file as received
	Size                       int
}

// Fault changes the next Times answers (0 means every answer from now on).
type Fault struct {
	Status int           // answer with this status instead (0: answer normally, after Delay)
	Delay  time.Duration // wait this long first
	Times  int
}

// Start starts an index on 127.0.0.1. Close stops it.
func Start() *Server {
	s := &Server{projects: map[string][]string{}, byProject: map[string]int{}}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("pypiindex: listening on 127.0.0.1: " + err.Error())
	}
	s.srv.Listener = l
	s.srv.Start()
	return s
}

// URL is the index's base URL, as index-url takes it.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Publish records versions of project as published.
func (s *Server) Publish(project string, versions ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := normalize(project)
	s.projects[n] = append(s.projects[n], versions...)
}

// InjectFault queues a fault; faults apply in order.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times == 0 {
		f.Times = -1
	}
	s.faults = append(s.faults, f)
}

// Requests is the number of requests served.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

var separators = regexp.MustCompile(`[-_.]+`)

func normalize(name string) string { return separators.ReplaceAllString(strings.ToLower(name), "-") }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	var fault *Fault
	if len(s.faults) > 0 {
		f := s.faults[0]
		fault = &f
		if s.faults[0].Times > 0 {
			s.faults[0].Times--
			if s.faults[0].Times == 0 {
				s.faults = s.faults[1:]
			}
		}
	}
	s.mu.Unlock()
	if fault != nil {
		if fault.Delay > 0 {
			select {
			case <-time.After(fault.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if fault.Status != 0 {
			http.Error(w, http.StatusText(fault.Status), fault.Status)
			return
		}
	}
	if r.Method == http.MethodPost && strings.Trim(r.URL.Path, "/") == "legacy" {
		s.upload(w, r)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 3 || parts[0] != "pypi" || parts[len(parts)-1] != "json" || len(parts) > 4 {
		http.NotFound(w, r)
		return
	}
	name := parts[1]
	if n := normalize(name); n != name {
		// PyPI redirects to the normalised name.
		parts[1] = n
		http.Redirect(w, r, "/"+strings.Join(parts, "/"), http.StatusMovedPermanently)
		return
	}
	s.mu.Lock()
	versions, ok := s.projects[name]
	versions = append([]string(nil), versions...)
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	if len(parts) == 4 {
		for _, v := range versions {
			if v == parts[2] {
				writeJSON(w, http.StatusOK, map[string]any{"info": map[string]any{"name": name, "version": v}, "urls": files(name, v)})
				return
			}
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	releases := map[string]any{}
	latest := ""
	for _, v := range versions {
		releases[v] = files(name, v)
		latest = v
	}
	writeJSON(w, http.StatusOK, map[string]any{"info": map[string]any{"name": name, "version": latest}, "releases": releases})
}

// files is the file list of a release, as PyPI's JSON API lists them.
func files(name, version string) []map[string]any {
	base := strings.ReplaceAll(name, "-", "_") + "-" + version
	return []map[string]any{
		{"filename": base + "-py3-none-any.whl", "packagetype": "bdist_wheel", "yanked": false},
		{"filename": base + ".tar.gz", "packagetype": "sdist", "yanked": false},
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Uploads returns the files uploaded so far, in order.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Upload(nil), s.uploads...)
}

// upload takes one file the way PyPI's upload API does: a multipart form with `:action`
// file_upload, name, version, the file as `content` and its sha256_digest, behind basic auth. A
// file that is already there is refused with 400 "File already exists", as PyPI refuses it; the
// version counts as published from the first file on.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	if _, pass, ok := r.BasicAuth(); !ok || pass == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="pypi"`)
		http.Error(w, "Invalid or non-existent authentication information.", http.StatusForbidden)
		return
	}
	if err := r.ParseMultipartForm(64 << 20); err != nil {
		http.Error(w, "invalid multipart form: "+err.Error(), http.StatusBadRequest)
		return
	}
	if a := r.FormValue(":action"); a != "file_upload" {
		http.Error(w, fmt.Sprintf("unknown :action %q", a), http.StatusBadRequest)
		return
	}
	name, version := normalize(r.FormValue("name")), r.FormValue("version")
	f, hdr, err := r.FormFile("content")
	if name == "" || version == "" || err != nil {
		http.Error(w, "name, version and content are required", http.StatusBadRequest)
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	if want := r.FormValue("sha256_digest"); want != "" && want != digest {
		http.Error(w, "The digest supplied does not match a digest calculated from the uploaded file.", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.uploads {
		if u.Filename == hdr.Filename {
			http.Error(w, "File already exists ('"+hdr.Filename+"').", http.StatusBadRequest)
			return
		}
	}
	s.uploads = append(s.uploads, Upload{Project: name, Version: version, Filename: hdr.Filename, SHA256: digest, Size: len(data)})
	published := false
	for _, v := range s.projects[name] {
		published = published || v == version
	}
	if !published {
		s.projects[name] = append(s.projects[name], version)
	}
	w.WriteHeader(http.StatusOK)
}
