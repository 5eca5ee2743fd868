package ghemu

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
)

// gqlPost sends a GraphQL request with the test token and decodes the answer.
func gqlPost(t *testing.T, s *Server, query string, vars map[string]any) (int, map[string]any) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), "POST", s.URL()+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decoding the answer to %q: %v", query, err)
	}
	return resp.StatusCode, out
}

// errorMessages returns the messages of a GraphQL answer's errors.
func errorMessages(out map[string]any) []string {
	var msgs []string
	list, _ := out["errors"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		s, _ := m["message"].(string)
		msgs = append(msgs, s)
	}
	return msgs
}

// dig follows keys through nested JSON objects.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

const enableAutoMerge = `mutation Arm($id: ID!, $method: PullRequestMergeMethod) {
  enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $method}) {
    pullRequest { number autoMergeRequest { mergeMethod enabledAt } }
  }
}`

const prState = `query State($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    autoMergeAllowed
    pullRequest(number: $number) { id number state mergeStateStatus ... on PullRequest { isDraft } __typename }
  }
}`

func TestGraphQLSchemaLoads(t *testing.T) {
	t.Parallel()
	sch, err := loadGraphQLSchema()
	if err != nil {
		t.Fatalf("loadGraphQLSchema() = %v", err)
	}
	// Only the known defects of the published schema are dropped (SOURCE.md).
	want := []string{"EnterpriseOwnerInfo.repositoryDeployKeySetting", "EnterpriseOwnerInfo.repositoryDeployKeySettingOrganizations"}
	if !slices.Equal(sch.dropped, want) {
		t.Errorf("dropped duplicate fields = %q, want %q", sch.dropped, want)
	}
	for _, name := range []string{"Repository", "PullRequest", "MergeStateStatus", "EnablePullRequestAutoMergeInput"} {
		if sch.schema.Types[name] == nil {
			t.Errorf("schema.Types[%q] = nil, want a type", name)
		}
	}
}

// TestGraphQLAutoMerge arms auto-merge in each state GitHub distinguishes.
func TestGraphQLAutoMerge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		allow     bool
		protect   *Protection
		wantState string
		wantError string // "" when arming succeeds
	}{
		{name: "not allowed", allow: false, wantState: "CLEAN", wantError: "Pull request Auto merge is not allowed for this repository"},
		{name: "clean", allow: true, wantState: "CLEAN", wantError: "Pull request Pull request is in clean status"},
		{name: "blocked by a required check", allow: true, protect: &Protection{RequiredChecks: []string{"ci"}}, wantState: "BLOCKED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, gh, f := setup(t)
			f.git("checkout", "-q", "-b", "dev")
			f.commit("feat: more", map[string]string{"more.txt": "x\n"})
			f.push("dev")
			s.AllowAutoMerge(testOwner, testRepo, tt.allow)
			if tt.protect != nil {
				s.Protect(testOwner, testRepo, "main", *tt.protect)
			}
			pr, _, err := gh.PullRequests.Create(t.Context(), testOwner, testRepo, &github.NewPullRequest{Title: github.String("promote"), Head: github.String("dev"), Base: github.String("main")})
			if err != nil {
				t.Fatal(err)
			}
			status, out := gqlPost(t, s, prState, map[string]any{"owner": testOwner, "name": testRepo, "number": pr.GetNumber()})
			if status != 200 || len(errorMessages(out)) > 0 {
				t.Fatalf("query = %d %v", status, out)
			}
			if got := dig(out, "data", "repository", "pullRequest", "mergeStateStatus"); got != tt.wantState {
				t.Errorf("mergeStateStatus = %v, want %s", got, tt.wantState)
			}
			if got := dig(out, "data", "repository", "pullRequest", "id"); got != pr.GetNodeID() {
				t.Errorf("id = %v, want the REST node_id %q", got, pr.GetNodeID())
			}
			if got := dig(out, "data", "repository", "autoMergeAllowed"); got != tt.allow {
				t.Errorf("autoMergeAllowed = %v, want %v", got, tt.allow)
			}

			s.ResetCounts()
			_, out = gqlPost(t, s, enableAutoMerge, map[string]any{"id": pr.GetNodeID(), "method": "SQUASH"})
			if n := s.Count(GraphQLOperation); n != 1 {
				t.Errorf("Count(%q) = %d, want 1", GraphQLOperation, n)
			}
			msgs := errorMessages(out)
			armed, ok := s.AutoMerge(testOwner, testRepo, pr.GetNumber())
			if tt.wantError != "" {
				if !slices.Equal(msgs, []string{tt.wantError}) || ok {
					t.Errorf("enablePullRequestAutoMerge errors = %q, armed %v; want %q, not armed", msgs, ok, tt.wantError)
				}
				if got := dig(out, "data", "enablePullRequestAutoMerge"); got != nil {
					t.Errorf("data.enablePullRequestAutoMerge = %v, want null", got)
				}
				return
			}
			if len(msgs) > 0 || !ok || armed.MergeMethod != "SQUASH" {
				t.Fatalf("enablePullRequestAutoMerge errors = %q, armed %v %+v; want armed with SQUASH", msgs, ok, armed)
			}
			if got := dig(out, "data", "enablePullRequestAutoMerge", "pullRequest", "autoMergeRequest", "mergeMethod"); got != "SQUASH" {
				t.Errorf("autoMergeRequest.mergeMethod = %v, want SQUASH", got)
			}

			// A failed check leaves it waiting; the required check passing merges it, as GitHub's
			// auto-merge does, and disarms it.
			head := pr.GetHead().GetSHA()
			if err := s.SetCheckRun(testOwner, testRepo, head, CheckRun{Name: "ci", Status: "completed", Conclusion: "failure"}); err != nil {
				t.Fatal(err)
			}
			if prs := s.PullRequests(testOwner, testRepo); prs[0].Merged {
				t.Fatal("merged although the required check failed")
			}
			if err := s.SetCheckRun(testOwner, testRepo, head, CheckRun{Name: "ci", Status: "completed", Conclusion: "success"}); err != nil {
				t.Fatal(err)
			}
			prs := s.PullRequests(testOwner, testRepo)
			if !prs[0].Merged || prs[0].State != "closed" {
				t.Fatalf("after the check passed: %+v, want merged", prs[0])
			}
			main, err := s.Ref(testOwner, testRepo, "refs/heads/main")
			if err != nil || main != prs[0].MergeCommitSHA {
				t.Errorf("main at %s (%v), want the squash commit %s", main, err, prs[0].MergeCommitSHA)
			}
			if _, ok := s.AutoMerge(testOwner, testRepo, pr.GetNumber()); ok {
				t.Error("auto-merge still armed after the merge")
			}
		})
	}
}

// TestGraphQLRejectsInvalid checks that requests GitHub's schema refuses are
// answered with errors and recorded as problems.
func TestGraphQLRejectsInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, query string
		vars        map[string]any
		want        string // in the error message
	}{
		{name: "unknown field", query: `query { repository(owner: "acme", name: "mono") { autoMergeAllowed noSuchField } }`, want: "noSuchField"},
		{name: "syntax", query: `query { repository(owner: "acme"`, want: "Expected"},
		{name: "missing argument", query: `query { repository(owner: "acme") { id } }`, want: "name"},
		{name: "bad enum variable", query: enableAutoMerge, vars: map[string]any{"id": "x", "method": "FAST_FORWARD"}, want: "FAST_FORWARD"},
		{name: "missing variable", query: enableAutoMerge, vars: map[string]any{}, want: "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := New(Options{Token: testToken})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			_, out := gqlPost(t, s, tt.query, tt.vars)
			msgs := errorMessages(out)
			if len(msgs) == 0 || !strings.Contains(strings.Join(msgs, "\n"), tt.want) {
				t.Errorf("errors = %q, want one mentioning %q", msgs, tt.want)
			}
			if p := s.Problems(); len(p) != 1 || !strings.Contains(p[0], "GitHub's GraphQL schema") {
				t.Errorf("Problems() = %q, want one schema rejection", p)
			}
		})
	}
}

// TestGraphQLNotEmulated checks that a valid field the emulator does not
// serve is an error and a problem, not a silent null.
func TestGraphQLNotEmulated(t *testing.T) {
	t.Parallel()
	s, _, _ := setup(t)
	_, out := gqlPost(t, s, `query { repository(owner: "acme", name: "mono") { stargazerCount } }`, nil)
	if msgs := errorMessages(out); len(msgs) != 1 || !strings.Contains(msgs[0], "Repository.stargazerCount") {
		t.Errorf("errors = %q, want Repository.stargazerCount not served", msgs)
	}
	if p := s.Problems(); len(p) != 1 || !strings.Contains(p[0], "not emulated") {
		t.Errorf("Problems() = %q, want one", p)
	}
	s.ResetProblems()
}

// TestGraphQLBesideREST checks that the GraphQL route leaves the REST routes
// and their OpenAPI validation alone, and that faults and authentication
// apply to it as to REST.
func TestGraphQLBesideREST(t *testing.T) {
	t.Parallel()
	s, gh, _ := setup(t)
	if _, _, err := gh.Repositories.Get(t.Context(), testOwner, testRepo); err != nil {
		t.Fatalf("Repositories.Get() = %v", err)
	}
	s.InjectFault(func() Fault { f := ServerError(); f.OperationID = GraphQLOperation; f.Times = 1; return f }())
	status, _ := gqlPost(t, s, `query { viewer { login } }`, nil)
	if status != http.StatusBadGateway {
		t.Errorf("first GraphQL request = %d, want the injected 502", status)
	}
	status, out := gqlPost(t, s, `query { viewer { login } }`, nil)
	if status != 200 || dig(out, "data", "viewer", "login") != actorLogin {
		t.Errorf("second GraphQL request = %d %v, want 200 with the viewer", status, out)
	}
	if got := s.Counts(); got[GraphQLOperation] != 2 || got["repos/get"] != 1 {
		t.Errorf("Counts() = %v, want graphql 2, repos/get 1", got)
	}
	req, _ := http.NewRequestWithContext(t.Context(), "POST", s.URL()+"/graphql", strings.NewReader(`{"query":"{ viewer { login } }"}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GraphQL without a token = %d, want 401", resp.StatusCode)
	}
}

func FuzzGraphQLQuery(f *testing.F) {
	f.Add(enableAutoMerge)
	f.Add(prState)
	f.Add(`query { repository(owner: "acme", name: "mono") { ...F } } fragment F on Repository { id }`)
	f.Add(`{ __typename }`)
	f.Add(`query { node(id: "x") { ... on PullRequest { number } } }`)
	sch, err := loadGraphQLSchema()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		// Parsing and validating arbitrary input must not panic or hang.
		doc, errs := loadQuery(sch.schema, q)
		if doc == nil && len(errs) == 0 {
			t.Errorf("loadQuery(%q) = nil, no errors", q)
		}
	})
}
