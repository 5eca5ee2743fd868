package ghapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v60/github"
)

func TestAPIURLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		base       string
		upload     string
		wantAPI    string
		wantUpload string
		wantErr    string
	}{
		{name: "empty", base: "", wantAPI: "https://api.github.com/", wantUpload: "https://uploads.github.com/"},
		{name: "github.com api", base: "https://api.github.com", wantAPI: "https://api.github.com/", wantUpload: "https://uploads.github.com/"},
		{name: "github.com api slash", base: "https://api.github.com/", wantAPI: "https://api.github.com/", wantUpload: "https://uploads.github.com/"},
		{name: "GHES with api/v3", base: "https://ghe.example.com/api/v3", wantAPI: "https://ghe.example.com/api/v3/", wantUpload: "https://ghe.example.com/api/uploads/"},
		{name: "GHES with api/v3 slash", base: "https://ghe.example.com/api/v3/", wantAPI: "https://ghe.example.com/api/v3/", wantUpload: "https://ghe.example.com/api/uploads/"},
		{name: "GHES bare host", base: "https://ghe.example.com", wantAPI: "https://ghe.example.com/api/v3/", wantUpload: "https://ghe.example.com/api/uploads/"},
		{name: "GHES bare host slash", base: "https://ghe.example.com/", wantAPI: "https://ghe.example.com/api/v3/", wantUpload: "https://ghe.example.com/api/uploads/"},
		{name: "GHES port", base: "http://ghe.internal:8080", wantAPI: "http://ghe.internal:8080/api/v3/", wantUpload: "http://ghe.internal:8080/api/uploads/"},
		{name: "GHE.com", base: "https://api.octocorp.ghe.com", wantAPI: "https://api.octocorp.ghe.com/", wantUpload: "https://uploads.octocorp.ghe.com/"},
		{name: "emulator root", base: "http://127.0.0.1:8080", wantAPI: "http://127.0.0.1:8080/", wantUpload: "http://127.0.0.1:8080/uploads/"},
		{name: "emulator localhost", base: "http://localhost:8080/", wantAPI: "http://localhost:8080/", wantUpload: "http://localhost:8080/uploads/"},
		{name: "emulator ipv6", base: "http://[::1]:8080", wantAPI: "http://[::1]:8080/", wantUpload: "http://[::1]:8080/uploads/"},
		{name: "emulator api/v3", base: "http://127.0.0.1:8080/api/v3", wantAPI: "http://127.0.0.1:8080/api/v3/", wantUpload: "http://127.0.0.1:8080/api/uploads/"},
		{name: "proxy prefix", base: "https://proxy.example.com/github", wantAPI: "https://proxy.example.com/github/", wantUpload: "https://proxy.example.com/github/uploads/"},
		{name: "explicit upload", base: "https://ghe.example.com/api/v3", upload: "https://up.example.com/api/uploads", wantAPI: "https://ghe.example.com/api/v3/", wantUpload: "https://up.example.com/api/uploads/"},
		{name: "spaces", base: " https://ghe.example.com/api/v3\n", wantAPI: "https://ghe.example.com/api/v3/", wantUpload: "https://ghe.example.com/api/uploads/"},
		{name: "no scheme", base: "ghe.example.com/api/v3", wantErr: `parsing base URL "ghe.example.com/api/v3": want an absolute http(s) URL`},
		{name: "ftp", base: "ftp://ghe.example.com", wantErr: `parsing base URL "ftp://ghe.example.com": want an absolute http(s) URL`},
		{name: "control character", base: "https://ghe.example.com/\x7f", wantErr: "invalid control character in URL"},
		{name: "credentials", base: "https://user:pw@ghe.example.com", wantErr: `parsing base URL "https://user:xxxxx@ghe.example.com": remove the credentials`},
		{name: "query", base: "https://ghe.example.com/api/v3?x=1", wantErr: "remove the query"},
		{name: "bad upload", base: "https://ghe.example.com", upload: "uploads", wantErr: `parsing upload URL "uploads"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api, upload, err := APIURLs(tt.base, tt.upload)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("APIURLs(%q, %q) = %v, want an error containing %q", tt.base, tt.upload, err, tt.wantErr)
				}
				if _, err := New(Options{BaseURL: tt.base, UploadURL: tt.upload}); err == nil {
					t.Errorf("New(BaseURL %q, UploadURL %q) = nil error, want one", tt.base, tt.upload)
				}
				return
			}
			if err != nil {
				t.Fatalf("APIURLs(%q, %q) = %v", tt.base, tt.upload, err)
			}
			if api.String() != tt.wantAPI || upload.String() != tt.wantUpload {
				t.Errorf("APIURLs(%q, %q) = %s, %s, want %s, %s", tt.base, tt.upload, api, upload, tt.wantAPI, tt.wantUpload)
			}
			c, err := New(Options{BaseURL: tt.base, UploadURL: tt.upload})
			if err != nil {
				t.Fatal(err)
			}
			if c.BaseURL.String() != tt.wantAPI || c.UploadURL.String() != tt.wantUpload {
				t.Errorf("New(%q).BaseURL, UploadURL = %s, %s, want %s, %s", tt.base, c.BaseURL, c.UploadURL, tt.wantAPI, tt.wantUpload)
			}
		})
	}
}

// redirect sends every request to a loopback server and records the URL go-github built, so
// hosts that cannot be reached in a test still show the exact request line they would get.
type redirect struct {
	to   *url.URL
	mu   sync.Mutex
	seen []string
}

func (r *redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.seen = append(r.seen, req.Method+" "+req.URL.String())
	r.mu.Unlock()
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host, out.Host = r.to.Scheme, r.to.Host, ""
	return http.DefaultTransport.RoundTrip(out)
}

func TestRequestPaths(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		paths []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		switch {
		case strings.HasSuffix(r.URL.Path, "/assets"):
			reply(w, 201, `{"id":9,"name":"a.txt"}`)
		default:
			reply(w, 200, repoJSON)
		}
	}))
	t.Cleanup(srv.Close)
	to, _ := url.Parse(srv.URL)

	tests := []struct {
		name       string
		base       string
		wantGet    string // the URL go-github builds for GET repos/o/r
		wantUpload string // and for an asset upload
		wantPaths  []string
	}{
		{
			name: "api.github.com", base: "https://api.github.com",
			wantGet:    "https://api.github.com/repos/o/r",
			wantUpload: "https://uploads.github.com/repos/o/r/releases/1/assets?name=a.txt",
			wantPaths:  []string{"/repos/o/r", "/repos/o/r/releases/1/assets"},
		},
		{
			name: "GHES with api/v3", base: "https://ghe.example.com/api/v3/",
			wantGet:    "https://ghe.example.com/api/v3/repos/o/r",
			wantUpload: "https://ghe.example.com/api/uploads/repos/o/r/releases/1/assets?name=a.txt",
			wantPaths:  []string{"/api/v3/repos/o/r", "/api/uploads/repos/o/r/releases/1/assets"},
		},
		{
			name: "GHES without api/v3", base: "https://ghe.example.com",
			wantGet:    "https://ghe.example.com/api/v3/repos/o/r",
			wantUpload: "https://ghe.example.com/api/uploads/repos/o/r/releases/1/assets?name=a.txt",
			wantPaths:  []string{"/api/v3/repos/o/r", "/api/uploads/repos/o/r/releases/1/assets"},
		},
		{
			name: "plain emulator URL", base: srv.URL,
			wantGet:    srv.URL + "/repos/o/r",
			wantUpload: srv.URL + "/uploads/repos/o/r/releases/1/assets?name=a.txt",
			wantPaths:  []string{"/repos/o/r", "/uploads/repos/o/r/releases/1/assets"},
		},
		{
			name: "emulator under api/v3", base: srv.URL + "/api/v3",
			wantGet:    srv.URL + "/api/v3/repos/o/r",
			wantUpload: srv.URL + "/api/uploads/repos/o/r/releases/1/assets?name=a.txt",
			wantPaths:  []string{"/api/v3/repos/o/r", "/api/uploads/repos/o/r/releases/1/assets"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the subtests share the server's path log.
			rd := &redirect{to: to}
			c, err := New(Options{BaseURL: tt.base, HTTPClient: &http.Client{Transport: rd}})
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			paths = nil
			mu.Unlock()
			if _, _, err := c.Repositories.Get(t.Context(), "o", "r"); err != nil {
				t.Fatalf("Repositories.Get() = %v", err)
			}
			if _, _, err := c.Repositories.UploadReleaseAsset(t.Context(), "o", "r", 1, &github.UploadOptions{Name: "a.txt"}, tempFile(t, "a.txt", "hello")); err != nil {
				t.Fatalf("Repositories.UploadReleaseAsset() = %v", err)
			}
			want := fmt.Sprint([]string{"GET " + tt.wantGet, "POST " + tt.wantUpload})
			if got := fmt.Sprint(rd.seen); got != want {
				t.Errorf("request URLs = %s, want %s", got, want)
			}
			mu.Lock()
			defer mu.Unlock()
			if fmt.Sprint(paths) != fmt.Sprint(tt.wantPaths) {
				t.Errorf("server paths = %q, want %q", paths, tt.wantPaths)
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{name: "nothing", env: nil, want: ""},
		{name: "github.com", env: map[string]string{"GITHUB_API_URL": "https://api.github.com", "GITHUB_SERVER_URL": "https://github.com"}, want: "https://api.github.com"},
		{name: "GHES", env: map[string]string{"GITHUB_API_URL": "https://ghe.example.com/api/v3", "GITHUB_SERVER_URL": "https://ghe.example.com"}, want: "https://ghe.example.com/api/v3"},
		{name: "emulator", env: map[string]string{"GITHUB_API_URL": "http://127.0.0.1:9999"}, want: "http://127.0.0.1:9999"},
		{name: "server only github.com", env: map[string]string{"GITHUB_SERVER_URL": "https://github.com/"}, want: ""},
		{name: "server only GHES", env: map[string]string{"GITHUB_SERVER_URL": "https://ghe.example.com/"}, want: "https://ghe.example.com/api/v3"},
		{name: "server only GHE.com", env: map[string]string{"GITHUB_SERVER_URL": "https://octocorp.ghe.com"}, want: "https://api.octocorp.ghe.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := FromEnv(func(k string) string { return tt.env[k] }, "tok")
			if opts.BaseURL != tt.want || opts.Token != "tok" {
				t.Errorf("FromEnv(%v) = BaseURL %q, Token %q, want %q, %q", tt.env, opts.BaseURL, opts.Token, tt.want, "tok")
			}
			if _, err := New(opts); err != nil {
				t.Errorf("New(FromEnv(%v)) = %v", tt.env, err)
			}
		})
	}
}

func FuzzAPIURLs(f *testing.F) {
	for _, s := range []string{
		"", "https://api.github.com", "https://ghe.example.com/api/v3/", "https://ghe.example.com",
		"http://127.0.0.1:8080", "http://[::1]:1/x", "https://api.x.ghe.com", "ghe", "http://%zz", "https://h/a%2Fb",
	} {
		f.Add(s, "")
	}
	f.Add("https://ghe.example.com", "https://up.example.com")
	f.Fuzz(func(t *testing.T, base, upload string) {
		api, up, err := APIURLs(base, upload)
		if err != nil {
			return
		}
		for _, u := range []*url.URL{api, up} {
			if !strings.HasSuffix(u.Path, "/") || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
				t.Fatalf("APIURLs(%q, %q) = %s, %s, want absolute http(s) URLs ending in /", base, upload, api, up)
			}
		}
		// Resolving the result again changes nothing.
		api2, up2, err := APIURLs(api.String(), up.String())
		if err != nil || api2.String() != api.String() || up2.String() != up.String() {
			t.Fatalf("APIURLs(APIURLs(%q, %q)) = %s, %s, %v, want %s, %s", base, upload, api2, up2, err, api, up)
		}
	})
}
