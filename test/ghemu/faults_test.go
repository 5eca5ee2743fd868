package ghemu

import (
	"errors"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
)

func rawGet(t *testing.T, url, token string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s, gh, _ := setup(t)
	ctx := t.Context()
	u := s.URL() + "/repos/acme/mono"

	f := ServerError()
	f.Path, f.Times = regexp.MustCompile(`^/repos/acme/mono$`), 2
	s.InjectFault(f)
	var got []int
	for range 3 {
		c, _, _ := rawGet(t, u, testToken)
		got = append(got, c)
	}
	if got[0] != 502 || got[1] != 502 || got[2] != 200 {
		t.Errorf("GET %s three times = %v, want [502 502 200]", u, got)
	}

	sec := SecondaryRateLimit(30 * time.Second)
	sec.OperationID, sec.Times = "repos/create-release", 1
	s.InjectFault(sec)
	// go-github then refuses requests until Retry-After has passed: use a
	// client of its own.
	_, _, err := newClient(t, s, testToken).Repositories.CreateRelease(ctx, testOwner, testRepo, &github.RepositoryRelease{TagName: github.String("v9")})
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) || abuse.RetryAfter == nil || *abuse.RetryAfter != 30*time.Second {
		t.Errorf("CreateRelease(secondary rate limit) = %v, want AbuseRateLimitError with RetryAfter 30s", err)
	}
	if got := s.Count("repos/create-release"); got != 1 {
		t.Errorf("Count(repos/create-release) = %d, want 1", got)
	}

	reset := time.Now().Add(time.Hour).Truncate(time.Second)
	prim := PrimaryRateLimit(reset)
	prim.Method, prim.Times = "GET", 1
	s.InjectFault(prim)
	_, _, err = newClient(t, s, testToken).Repositories.Get(ctx, testOwner, testRepo)
	var rl *github.RateLimitError
	if !errors.As(err, &rl) || !rl.Rate.Reset.Time.Equal(reset) {
		t.Errorf("Repositories.Get(primary rate limit) = %v, want RateLimitError resetting at %v", err, reset)
	}

	slow := Fault{OperationID: "repos/get", Delay: 50 * time.Millisecond, Times: 1}
	s.InjectFault(slow)
	start := time.Now()
	if _, _, err := gh.Repositories.Get(ctx, testOwner, testRepo); err != nil || time.Since(start) < 50*time.Millisecond {
		t.Errorf("Repositories.Get(delayed) = %v after %v, want success after 50ms", err, time.Since(start))
	}

	forever := ServerError()
	forever.OperationID = "repos/get"
	s.InjectFault(forever)
	for range 2 {
		if c, _, _ := rawGet(t, u, testToken); c != 502 {
			t.Errorf("GET with a fault forever = %d, want 502", c)
		}
	}
	s.ClearFaults()
	if c, _, _ := rawGet(t, u, testToken); c != 200 {
		t.Errorf("GET after ClearFaults = %d, want 200", c)
	}
}

func TestCounts(t *testing.T) {
	t.Parallel()
	s, gh, _ := setup(t)
	ctx := t.Context()
	for range 3 {
		if _, _, err := gh.Git.GetRef(ctx, testOwner, testRepo, "heads/main"); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := gh.Repositories.Get(ctx, testOwner, testRepo); err != nil {
		t.Fatal(err)
	}
	if got := s.Count("git/get-ref"); got != 3 {
		t.Errorf("Count(git/get-ref) = %d, want 3", got)
	}
	if got := s.Total(); got != 4 {
		t.Errorf("Total() = %d, want 4", got)
	}
	if got := s.Counts(); len(got) != 2 {
		t.Errorf("Counts() = %v, want two operations", got)
	}
	s.ResetCounts()
	if s.Total() != 0 || s.Count("git/get-ref") != 0 {
		t.Errorf("after ResetCounts: Total() = %d, Count(git/get-ref) = %d, want 0, 0", s.Total(), s.Count("git/get-ref"))
	}
}

func TestToken(t *testing.T) {
	t.Parallel()
	s, _, _ := setup(t)
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{name: "bearer", header: "Bearer " + testToken, want: 200},
		{name: "token", header: "token " + testToken, want: 200},
		{name: "wrong", header: "Bearer nope", want: 401},
		{name: "missing", want: 401},
	}
	for _, tt := range tests {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", s.URL()+"/repos/acme/mono", nil)
		if tt.header != "" {
			req.Header.Set("Authorization", tt.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: GET /repos/acme/mono = %d %s, want %d", tt.name, resp.StatusCode, b, tt.want)
		}
		if tt.want == 401 && !regexp.MustCompile(`"message":"Bad credentials"`).Match(b) {
			t.Errorf("%s: 401 body = %s, want message Bad credentials", tt.name, b)
		}
	}
	_, _, err := newClient(t, s, "nope").Repositories.Get(t.Context(), testOwner, testRepo)
	if errMessage(err) != "Bad credentials" {
		t.Errorf("Repositories.Get(wrong token) = %v, want Bad credentials", err)
	}
}
