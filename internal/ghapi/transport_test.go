package ghapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
)

func TestRetries(t *testing.T) {
	t.Parallel()
	status := func(codes ...int) func(int, http.ResponseWriter, *http.Request) {
		return func(n int, w http.ResponseWriter, _ *http.Request) {
			code := codes[min(n, len(codes)-1)]
			if code == http.StatusOK {
				reply(w, code, repoJSON)
				return
			}
			reply(w, code, `{"message":"`+http.StatusText(code)+`"}`)
		}
	}
	tests := []struct {
		name      string
		opts      Options
		script    func(int, http.ResponseWriter, *http.Request)
		wantHits  int64
		wantErr   []string // substrings of the error; nil for success
		wantSleep []time.Duration
		check     func(t *testing.T, err error)
	}{
		{
			name:     "500 then success",
			script:   status(500, 200),
			wantHits: 2,
		},
		{
			name:     "502 503 504 then success",
			script:   status(502, 503, 504, 200),
			wantHits: 4,
		},
		{
			name:     "gives up after MaxRetries",
			opts:     Options{MaxRetries: 2},
			script:   status(502),
			wantHits: 3,
			wantErr:  []string{"GET /repos/o/r", "3 attempts", "502 Bad Gateway"},
			check: func(t *testing.T, err error) {
				var re *RetryError
				if !errors.As(err, &re) || re.StatusCode != 502 || re.Attempts != 3 {
					t.Errorf("errors.As(%v, *RetryError) = %+v, want status 502 after 3 attempts", err, re)
				}
			},
		},
		{
			name:     "negative MaxRetries means one attempt",
			opts:     Options{MaxRetries: -1},
			script:   status(500),
			wantHits: 1,
			wantErr:  []string{"1 attempts", "500 Internal Server Error"},
		},
		{
			name:     "501 not retried",
			script:   status(501),
			wantHits: 1,
			wantErr:  []string{"501"},
		},
		{
			name:     "404 not retried",
			script:   status(404),
			wantHits: 1,
			wantErr:  []string{"404 Not Found"},
			check: func(t *testing.T, err error) {
				if !IsNotFound(err) {
					t.Errorf("IsNotFound(%v) = false, want true", err)
				}
			},
		},
		{
			name:     "422 not retried",
			script:   status(422),
			wantHits: 1,
			wantErr:  []string{"422"},
		},
		{
			name:     "403 without a limit not retried",
			script:   status(403),
			wantHits: 1,
			wantErr:  []string{"403"},
			check: func(t *testing.T, err error) {
				if !IsPermission(err) {
					t.Errorf("IsPermission(%v) = false, want true", err)
				}
			},
		},
		{
			name: "429 with Retry-After honoured",
			script: func(n int, w http.ResponseWriter, _ *http.Request) {
				if n == 0 {
					reply(w, 429, `{"message":"slow down"}`, "Retry-After: 7")
					return
				}
				reply(w, 200, repoJSON)
			},
			wantHits:  2,
			wantSleep: []time.Duration{7 * time.Second},
		},
		{
			name: "403 secondary limit body waits a minute",
			script: func(n int, w http.ResponseWriter, _ *http.Request) {
				if n == 0 {
					reply(w, 403, `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
					return
				}
				reply(w, 200, repoJSON)
			},
			wantHits:  2,
			wantSleep: []time.Duration{time.Minute},
		},
		{
			name: "429 without headers waits a minute",
			script: func(n int, w http.ResponseWriter, _ *http.Request) {
				if n == 0 {
					reply(w, 429, `{"message":"Too Many Requests"}`)
					return
				}
				reply(w, 200, repoJSON)
			},
			wantHits:  2,
			wantSleep: []time.Duration{time.Minute},
		},
		{
			name: "secondary limit beyond MaxWait fails at once",
			script: func(_ int, w http.ResponseWriter, _ *http.Request) {
				reply(w, 403, `{"message":"secondary rate limit"}`, "Retry-After: 120")
			},
			wantHits: 1,
			wantErr:  []string{"GET /repos/o/r", "GitHub's secondary rate limit: retry after 2m0s", "1m0s"},
			check: func(t *testing.T, err error) {
				if !IsRateLimit(err) || IsPermission(err) {
					t.Errorf("IsRateLimit, IsPermission(%v) = %v, %v, want true, false", err, IsRateLimit(err), IsPermission(err))
				}
			},
		},
		{
			name: "secondary limit retried until MaxRetries",
			opts: Options{MaxRetries: 1},
			script: func(_ int, w http.ResponseWriter, _ *http.Request) {
				reply(w, 403, `{"message":"secondary rate limit"}`, "Retry-After: 3")
			},
			wantHits:  2,
			wantSleep: []time.Duration{3 * time.Second},
			wantErr:   []string{"2 attempts", "403 Forbidden (secondary rate limit)"},
		},
		{
			name: "503 Retry-After within MaxWait is the wait",
			script: func(n int, w http.ResponseWriter, _ *http.Request) {
				if n == 0 {
					reply(w, 503, `{}`, "Retry-After: 2")
					return
				}
				reply(w, 200, repoJSON)
			},
			wantHits:  2,
			wantSleep: []time.Duration{2 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.opts, tt.script)
			_, _, err := f.c.Repositories.Get(t.Context(), "o", "r")
			if got := f.hits.Load(); got != tt.wantHits {
				t.Errorf("server hits = %d, want %d", got, tt.wantHits)
			}
			if got := f.c.Requests(); got != tt.wantHits {
				t.Errorf("Requests() = %d, want %d", got, tt.wantHits)
			}
			if st := f.c.Stats(); st.Retries != tt.wantHits-1 {
				t.Errorf("Stats().Retries = %d, want %d", st.Retries, tt.wantHits-1)
			}
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Repositories.Get() = %v, want success", err)
			case tt.wantErr != nil && err == nil:
				t.Fatalf("Repositories.Get() = nil error, want one containing %q", tt.wantErr)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Repositories.Get() error = %q, want it to contain %q", err, s)
				}
			}
			if tt.wantSleep != nil {
				if got := f.sleeps.all(); fmt.Sprint(got) != fmt.Sprint(tt.wantSleep) {
					t.Errorf("sleeps = %v, want %v", got, tt.wantSleep)
				}
			}
			for _, d := range f.sleeps.all() {
				if d < 0 || d > time.Minute {
					t.Errorf("sleep %v outside [0, 1m]", d)
				}
			}
			if tt.check != nil {
				tt.check(t, err)
			}
		})
	}
}

func TestBackoffFullJitter(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{MaxRetries: 8}, func(_ int, w http.ResponseWriter, _ *http.Request) {
		reply(w, 500, `{}`)
	})
	if _, _, err := f.c.Repositories.Get(t.Context(), "o", "r"); err == nil {
		t.Fatal("Repositories.Get() = nil error, want one")
	}
	got := f.sleeps.all()
	if len(got) != 8 {
		t.Fatalf("len(sleeps) = %d, want 8", len(got))
	}
	var total time.Duration
	for i, d := range got {
		ceiling := min(backoffCap, backoffBase<<i)
		if d < 0 || d > ceiling {
			t.Errorf("sleep %d = %v, want within [0, %v]", i, d, ceiling)
		}
		total += d
	}
	if st := f.c.Stats(); st.Waited != total {
		t.Errorf("Stats().Waited = %v, want %v", st.Waited, total)
	}
}

func TestPrimaryRateLimit(t *testing.T) {
	t.Parallel()
	limited := func(reset time.Time) func(int, http.ResponseWriter, *http.Request) {
		return func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 0 {
				reply(w, 403, `{"message":"API rate limit exceeded for installation ID 1."}`,
					"X-RateLimit-Limit: 1000", "X-RateLimit-Remaining: 0", "X-RateLimit-Used: 1000",
					"X-RateLimit-Resource: core", "X-RateLimit-Reset: "+strconv.FormatInt(reset.Unix(), 10))
				return
			}
			reply(w, 200, repoJSON)
		}
	}

	t.Run("within MaxWait waits for the reset", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, Options{}, limited(time.Now().Add(5*time.Second)))
		if _, _, err := f.c.Repositories.Get(t.Context(), "o", "r"); err != nil {
			t.Fatalf("Repositories.Get() = %v, want success after the reset", err)
		}
		got := f.sleeps.all()
		// Reset and Date have whole seconds: the wait is 4s to 6s.
		if len(got) != 1 || got[0] < 4*time.Second || got[0] > 6*time.Second {
			t.Errorf("sleeps = %v, want one of about 5s", got)
		}
		if f.hits.Load() != 2 {
			t.Errorf("server hits = %d, want 2", f.hits.Load())
		}
	})

	t.Run("beyond MaxWait fails with the reset time", func(t *testing.T) {
		t.Parallel()
		reset := time.Now().Add(42 * time.Minute)
		f := newFixture(t, Options{MaxWait: 30 * time.Second}, limited(reset))
		_, _, err := f.c.Repositories.Get(t.Context(), "o", "r")
		if err == nil {
			t.Fatal("Repositories.Get() = nil error, want a rate limit error")
		}
		want := []string{
			"GET /repos/o/r", "primary rate limit", `"core"`, "1000 requests",
			reset.UTC().Truncate(time.Second).Format(time.RFC3339), "30s", "GitHub App",
		}
		for _, s := range want {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("Repositories.Get() error = %q, want it to contain %q", err, s)
			}
		}
		var rl *RateLimitError
		if !errors.As(err, &rl) || rl.Secondary || !rl.Reset.Equal(reset.Truncate(time.Second)) {
			t.Errorf("errors.As(%v, *RateLimitError) = %+v, want primary, reset %v", err, rl, reset)
		}
		if f.hits.Load() != 1 || len(f.sleeps.all()) != 0 {
			t.Errorf("hits, sleeps = %d, %v, want 1, none", f.hits.Load(), f.sleeps.all())
		}
	})

	// go-github remembers "0 remaining" from a successful answer and would fail the next call
	// without sending it; the transport keeps that from happening so it can wait instead.
	t.Run("last request of the window does not block the next call", func(t *testing.T) {
		t.Parallel()
		reset := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
		f := newFixture(t, Options{}, func(_ int, w http.ResponseWriter, _ *http.Request) {
			reply(w, 200, repoJSON, "X-RateLimit-Limit: 1000", "X-RateLimit-Remaining: 0", "X-RateLimit-Reset: "+reset)
		})
		_, resp, err := f.c.Repositories.Get(t.Context(), "o", "r")
		if err != nil {
			t.Fatalf("first Repositories.Get() = %v", err)
		}
		if resp.Rate.Remaining != 0 || resp.Rate.Limit != 1000 {
			t.Errorf("Response.Rate = %+v, want the server's 0 of 1000", resp.Rate)
		}
		if _, _, err := f.c.Repositories.Get(t.Context(), "o", "r"); err != nil {
			t.Fatalf("second Repositories.Get() = %v, want it sent", err)
		}
		if f.hits.Load() != 2 {
			t.Errorf("server hits = %d, want 2", f.hits.Load())
		}
	})
}

func TestPostBodyReplayed(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		bodies []string
	)
	f := newFixture(t, Options{}, func(n int, w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, r.Method+" "+r.URL.Path+" "+string(b))
		mu.Unlock()
		switch n {
		case 0:
			reply(w, 500, `{}`)
		case 1:
			reply(w, 429, `{}`, "Retry-After: 1")
		default:
			reply(w, 201, `{"ref":"refs/heads/x","object":{"sha":"aa"}}`)
		}
	})
	ref := &github.Reference{Ref: github.String("refs/heads/x"), Object: &github.GitObject{SHA: github.String("aa")}}
	if _, _, err := f.c.Git.CreateRef(t.Context(), "o", "r", ref); err != nil {
		t.Fatalf("Git.CreateRef() = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 3 {
		t.Fatalf("server got %d requests, want 3", len(bodies))
	}
	if !strings.Contains(bodies[0], `"sha":"aa"`) {
		t.Errorf("first body = %q, want the ref JSON", bodies[0])
	}
	for i, b := range bodies[1:] {
		if b != bodies[0] {
			t.Errorf("request %d = %q, want %q", i+2, b, bodies[0])
		}
	}
}

func TestUnreplayableBodyNotRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{}, func(_ int, w http.ResponseWriter, _ *http.Request) {
		reply(w, 502, `{"message":"bad gateway"}`)
	})
	// An io.Reader that is not a bytes or strings type gets no GetBody from http.NewRequest.
	body := io.MultiReader(strings.NewReader("asset bytes"))
	req, err := f.c.NewUploadRequest("repos/o/r/releases/1/assets?name=a.txt", body, 11, "text/plain")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.c.Do(t.Context(), req, nil)
	if err == nil || !strings.Contains(err.Error(), "502") {
		t.Errorf("Do(upload) = %v, want the 502 passed through", err)
	}
	if f.hits.Load() != 1 {
		t.Errorf("server hits = %d, want 1", f.hits.Load())
	}
	if !strings.Contains(f.logs.String(), "cannot be replayed") {
		t.Errorf("logs = %q, want a line saying the body cannot be replayed", f.logs.String())
	}
}

func TestTimeoutRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{Timeout: 100 * time.Millisecond}, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 0 {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		reply(w, 200, repoJSON)
	})
	start := time.Now()
	if _, _, err := f.c.Repositories.Get(t.Context(), "o", "r"); err != nil {
		t.Fatalf("Repositories.Get() = %v, want success on the second attempt", err)
	}
	if f.c.Requests() != 2 {
		t.Errorf("Requests() = %d, want 2", f.c.Requests())
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Repositories.Get() took %v, want about the 100ms timeout", el)
	}
	if !strings.Contains(f.logs.String(), "timed out after 100ms") {
		t.Errorf("logs = %q, want the timeout named", f.logs.String())
	}
}

func TestTimeoutGivesUp(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{Timeout: 50 * time.Millisecond, MaxRetries: 1}, func(_ int, _ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	_, _, err := f.c.Repositories.Get(t.Context(), "o", "r")
	if err == nil || !strings.Contains(err.Error(), "2 attempts") || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("Repositories.Get() = %v, want giving up after 2 timed-out attempts", err)
	}
}

func TestConnectionErrorsRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{}, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 0 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close() // the connection drops without an answer
			}
			return
		}
		reply(w, 200, repoJSON)
	})
	if _, _, err := f.c.Repositories.Get(t.Context(), "o", "r"); err != nil {
		t.Fatalf("Repositories.Get() = %v, want success after the dropped connection", err)
	}
	if f.c.Requests() != 2 {
		t.Errorf("Requests() = %d, want 2", f.c.Requests())
	}
}

func TestConnectionRefusedGivesUp(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	s := &sleeps{}
	c, err := New(Options{BaseURL: "http://" + addr, Token: testToken, MaxRetries: 2, Sleep: s.sleep})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Repositories.Get(t.Context(), "o", "r")
	var re *RetryError
	if !errors.As(err, &re) || re.Attempts != 3 || re.StatusCode != 0 {
		t.Fatalf("Repositories.Get() = %v, want a *RetryError after 3 attempts without an answer", err)
	}
	if !strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), testToken) {
		t.Errorf("Repositories.Get() error = %q, want the refusal named and no token", err)
	}
}

func TestCancelDuringWait(t *testing.T) {
	t.Parallel()
	srv := newFixture(t, Options{}, func(_ int, w http.ResponseWriter, _ *http.Request) {
		reply(w, 429, `{}`, "Retry-After: 30")
	}).srv
	// The real sleep: a cancelled context ends the wait at once.
	c, err := New(Options{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err = c.Repositories.Get(ctx, "o", "r")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Repositories.Get() = %v, want %v", err, context.DeadlineExceeded)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Repositories.Get() took %v, want it to end with the context", el)
	}
}

func TestHeadersAndTokenSecrecy(t *testing.T) {
	t.Parallel()
	var (
		mu   sync.Mutex
		seen []string
	)
	record := func(r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization")+"|"+r.Header.Get("User-Agent"))
		mu.Unlock()
	}
	scripts := map[string]func(int, http.ResponseWriter, *http.Request){
		"retries exhausted": func(_ int, w http.ResponseWriter, _ *http.Request) { reply(w, 500, `{}`) },
		"bad credentials":   func(_ int, w http.ResponseWriter, _ *http.Request) { reply(w, 401, `{"message":"Bad credentials"}`) },
		"secondary limit": func(_ int, w http.ResponseWriter, _ *http.Request) {
			reply(w, 403, `{"message":"secondary rate limit"}`, "Retry-After: 3600")
		},
		"primary limit": func(_ int, w http.ResponseWriter, _ *http.Request) {
			reply(w, 403, `{}`, "X-RateLimit-Remaining: 0", "X-RateLimit-Reset: "+strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
		},
		"echoing server": func(_ int, w http.ResponseWriter, r *http.Request) {
			reply(w, 403, `{"message":"`+r.Header.Get("Authorization")+`"}`)
		},
		"timeout": func(_ int, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
	}
	for name, script := range scripts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, Options{Token: testToken + "\n", Timeout: 50 * time.Millisecond, MaxRetries: 1}, func(n int, w http.ResponseWriter, r *http.Request) {
				record(r)
				script(n, w, r)
			})
			_, _, err := f.c.Repositories.Get(t.Context(), "o", "r")
			if err == nil {
				t.Fatal("Repositories.Get() = nil error, want one")
			}
			if name != "echoing server" && strings.Contains(err.Error(), testToken) {
				t.Errorf("Repositories.Get() error = %q, contains the token", err)
			}
			if strings.Contains(f.logs.String(), testToken) {
				t.Errorf("logs = %q, contain the token", f.logs.String())
			}
		})
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range seen {
			if want := "Bearer " + testToken + "|shipkit"; s != want {
				t.Errorf("request Authorization|User-Agent = %q, want %q", s, want)
			}
		}
	})
}

func TestAnonymous(t *testing.T) {
	t.Parallel()
	var auth []string
	var mu sync.Mutex
	srv := newFixture(t, Options{}, func(_ int, w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		reply(w, 200, repoJSON)
	}).srv
	c, err := New(Options{BaseURL: srv.URL, UserAgent: "shipkit-test/1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Repositories.Get(t.Context(), "o", "r"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(auth) != 1 || auth[0] != "" {
		t.Errorf("Authorization headers = %q, want one empty", auth)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name   string
		value  string
		want   time.Duration
		wantOK bool
	}{
		{name: "seconds", value: "7", want: 7 * time.Second, wantOK: true},
		{name: "zero", value: "0", want: 0, wantOK: true},
		{name: "spaces", value: " 3 ", want: 3 * time.Second, wantOK: true},
		{name: "http date", value: now.Add(90 * time.Second).Format(http.TimeFormat), want: 90 * time.Second, wantOK: true},
		{name: "past date", value: now.Add(-time.Hour).Format(http.TimeFormat), want: 0, wantOK: true},
		{name: "huge", value: "99999999999999", want: 24 * time.Hour, wantOK: true},
		{name: "negative", value: "-1"},
		{name: "garbage", value: "soon"},
		{name: "empty", value: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			h.Set("Retry-After", tt.value)
			got, ok := retryAfter(h, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("retryAfter(%q) = %v, %v, want %v, %v", tt.value, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"7", "0", "-1", "1e9", "Wed, 21 Oct 2015 07:28:00 GMT", "", "99999999999999999999"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		h.Set("Retry-After", v)
		d, ok := retryAfter(h, now)
		if d < 0 || (!ok && d != 0) {
			t.Errorf("retryAfter(%q) = %v, %v, want a non-negative wait only with ok", v, d, ok)
		}
		if d > 24*time.Hour {
			t.Errorf("retryAfter(%q) = %v, want at most 24h", v, d)
		}
	})
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{}, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n%3 == 0 {
			reply(w, 502, `{}`)
			return
		}
		reply(w, 200, repoJSON)
	})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, _, err := f.c.Repositories.Get(t.Context(), "o", "r")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Repositories.Get() = %v", err)
		}
	}
	st := f.c.Stats()
	if st.Requests != f.hits.Load() || st.Requests != 20+st.Retries {
		t.Errorf("Stats() = %+v with %d server hits, want Requests = hits = 20 + Retries", st, f.hits.Load())
	}
}
