package imagetag_test

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shipkit-dev/shipkit/internal/imagetag"
)

// FuzzParseImage checks that every repository ParseImage accepts is lower case and makes valid
// tag references with go-containerregistry.
func FuzzParseImage(f *testing.F) {
	for _, s := range []string{"ghcr.io/acme/app", "ghcr.io/Acme/App", "127.0.0.1:5000/a/b", "app", "a:b", "ghcr.io/a//b",
		"ghcr.io/a@sha256:00", "https://x/y", "localhost/x", "ghcr.io/a__b/c.d-e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		repo, _, err := imagetag.ParseImage(s)
		if err != nil {
			return
		}
		if r := repo.RepositoryStr(); r != strings.ToLower(r) {
			t.Fatalf("ParseImage(%q) = %s, want a lower-case repository", s, repo)
		}
		ref := repo.Tag("sha-01234567").String()
		if _, err := name.NewTag(ref); err != nil {
			t.Fatalf("ParseImage(%q) = %s, whose tag reference %q does not parse: %v", s, repo, ref, err)
		}
	})
}

// FuzzSanitizeTag checks that SanitizeTag always gives a valid tag or "", and is idempotent.
func FuzzSanitizeTag(f *testing.F) {
	for _, s := range []string{"main", "feature/login", "-x", ".", "dependabot/npm_and_yarn/@types/node-20", strings.Repeat("ab/", 60), "über"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := imagetag.SanitizeTag(s)
		if got == "" {
			return
		}
		if err := imagetag.CheckTag(got); err != nil {
			t.Fatalf("SanitizeTag(%q) = %q, not a valid tag: %v", s, got, err)
		}
		if again := imagetag.SanitizeTag(got); again != got {
			t.Fatalf("SanitizeTag(SanitizeTag(%q)) = %q, want %q", s, again, got)
		}
		if _, err := name.NewTag("ghcr.io/acme/app:" + got); err != nil {
			t.Fatalf("SanitizeTag(%q) = %q, which go-containerregistry rejects: %v", s, got, err)
		}
	})
}

// FuzzParseMovingTags checks that every accepted moving-tags line gives tags that
// go-containerregistry accepts for any branch.
func FuzzParseMovingTags(f *testing.F) {
	for _, s := range []string{"main=latest", "release/*={branch}", "x", "=", "a=b=c", "main={branch}-{branch}", "[=x"} {
		f.Add(s, "feature/x")
	}
	f.Fuzz(func(t *testing.T, line, branch string) {
		tags, err := imagetag.ParseMovingTags([]string{line})
		if err != nil {
			return
		}
		cfg := imagetag.Config{Image: "ghcr.io/acme/app", SHA: strings.Repeat("a", 40), SHALength: 8, Mode: imagetag.ModeCompute,
			Ref: "refs/heads/" + branch, MovingTags: tags}
		p, err := imagetag.Compute(cfg)
		if err != nil {
			if !strings.Contains(err.Error(), `input "moving-tags"`) {
				t.Fatalf("Compute with moving tags %q on %q: %v, want an error naming moving-tags", line, branch, err)
			}
			return
		}
		for _, ref := range p.Refs() {
			if _, err := name.NewTag(ref); err != nil {
				t.Fatalf("moving tags %q on %q give %q, which go-containerregistry rejects: %v", line, branch, ref, err)
			}
		}
	})
}
