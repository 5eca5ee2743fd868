// Package localghtest starts a local GitHub (package localgh) for one test, with one repository,
// and fails the test at its end when the API emulator saw a request or answer that GitHub's
// OpenAPI description rejects.
package localghtest

import (
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/test/localgh"
)

// Token is the credential the test's local GitHub accepts.
const Token = "ghs_localghtesttoken"

// New starts a local GitHub with the repository owner/name (default branch main).
func New(t testing.TB, owner, name string) *localgh.GitHub {
	t.Helper()
	gh, err := localgh.Start(localgh.Options{Token: Token, Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gh.Close)
	if err := gh.CreateRepo(owner, name, "main"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p := gh.API.Problems(); len(p) > 0 {
			t.Errorf("API emulator problems (requests or answers GitHub's OpenAPI description rejects):\n%s", strings.Join(p, "\n"))
		}
	})
	return gh
}
