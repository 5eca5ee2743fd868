package imagetag_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shipkit-dev/shipkit/internal/imagetag"
	"github.com/shipkit-dev/shipkit/internal/runner"
)

const (
	sha1 = "0123456789abcdef0123456789abcdef01234567"
	sha2 = "89abcdef0123456789abcdef0123456789abcdef"
)

func baseConfig() imagetag.Config {
	return imagetag.Config{
		Image: "ghcr.io/acme/app", Digest: "sha256:" + strings.Repeat("a", 64), SHA: sha1, SHALength: 8,
		Ref: "refs/heads/main", DefaultBranch: "main", MovingTags: imagetag.DefaultMovingTags,
		Monotonic: true, Mode: imagetag.ModeApply, Created: time.Unix(1700000000, 0),
	}
}

// TestCompute follows docker/metadata-action's documented examples where they apply to
// shipkit's tags (branch, tag, pull request, SemVer and PEP 440 versions).
func TestCompute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(*imagetag.Config)
		want   []string
		labels map[string]string
	}{
		{name: "push to main", want: []string{"sha-01234567", "latest"}},
		{name: "push to main with a version", edit: func(c *imagetag.Config) { c.Version = "1.2.3" },
			want: []string{"sha-01234567", "v1.2.3", "latest"}, labels: map[string]string{imagetag.LabelVersion: "1.2.3"}},
		{name: "push to dev", edit: func(c *imagetag.Config) { c.Ref, c.Version = "refs/heads/dev", "1.2.3" },
			want: []string{"sha-01234567", "dev"}},
		{name: "push to another branch", edit: func(c *imagetag.Config) { c.Ref = "refs/heads/feature/login" },
			want: []string{"sha-01234567"}, labels: map[string]string{imagetag.LabelVersion: "sha-01234567"}},
		{name: "branch pattern with {branch}", edit: func(c *imagetag.Config) {
			c.Ref = "refs/heads/releases/v1"
			c.MovingTags = []imagetag.MovingTag{{Branch: "releases/*", Tag: "{branch}"}}
		}, want: []string{"sha-01234567", "releases-v1"}},
		{name: "tag v1.2.3 gives its version", edit: func(c *imagetag.Config) { c.Ref = "refs/tags/v1.2.3" },
			want: []string{"sha-01234567", "v1.2.3"}},
		{name: "tag with a SemVer pre-release", edit: func(c *imagetag.Config) { c.Ref = "refs/tags/v2.0.8-beta.67" },
			want: []string{"sha-01234567", "v2.0.8-beta.67"}},
		{name: "tag that is not a version", edit: func(c *imagetag.Config) { c.Ref = "refs/tags/nightly" },
			want: []string{"sha-01234567"}},
		{name: "PEP 440 version normalised", edit: func(c *imagetag.Config) { c.Version = "1.2.3RC1" },
			want: []string{"sha-01234567", "v1.2.3rc1", "latest"}},
		{name: "PEP 440 post and dev release", edit: func(c *imagetag.Config) { c.Version = "1.0.post1.dev2" },
			want: []string{"sha-01234567", "v1.0.post1.dev2", "latest"}},
		{name: "SemVer build metadata becomes -", edit: func(c *imagetag.Config) { c.Version = "1.0.0+build.5" },
			want: []string{"sha-01234567", "v1.0.0-build.5", "latest"}},
		{name: "pull request: pr-{pr}, no moving tag", edit: func(c *imagetag.Config) {
			c.Ref, c.Version = "refs/pull/2/merge", "1.2.3"
			c.ExtraTags = []string{"pr-{pr}", "{branch}-build"}
		}, want: []string{"sha-01234567", "pr-2"}},
		{name: "extra tags with placeholders on a branch", edit: func(c *imagetag.Config) {
			c.Ref, c.Version = "refs/heads/main", "1.2.3"
			c.ExtraTags = []string{"{branch}-{sha}", "stable-{version}", "pr-{pr}", "latest"}
		}, want: []string{"sha-01234567", "v1.2.3", "latest", "main-01234567", "stable-1.2.3"}},
		{name: "sha-length 12", edit: func(c *imagetag.Config) { c.SHALength = 12 },
			want: []string{"sha-0123456789ab", "latest"}},
		{name: "default branch from the event", edit: func(c *imagetag.Config) {
			c.Ref, c.DefaultBranch, c.Version = "refs/heads/trunk", "trunk", "2.0.0"
		}, want: []string{"sha-01234567", "v2.0.0"}},
		{name: "upper-case SHA is lowered", edit: func(c *imagetag.Config) { c.SHA = strings.ToUpper(sha1) },
			want: []string{"sha-01234567", "latest"}, labels: map[string]string{imagetag.LabelRevision: sha1}},
		{name: "labels", edit: func(c *imagetag.Config) { c.SourceURL, c.Title = "https://github.com/acme/app", "app" },
			want: []string{"sha-01234567", "latest"}, labels: map[string]string{
				imagetag.LabelRevision: sha1, imagetag.LabelSource: "https://github.com/acme/app", imagetag.LabelTitle: "app",
				imagetag.LabelCreated: "2023-11-14T22:13:20Z", imagetag.LabelVersion: "sha-01234567",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := baseConfig()
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			p, err := imagetag.Compute(cfg)
			if err != nil {
				t.Fatalf("Compute() error: %v", err)
			}
			var got []string
			for _, tag := range p.Tags {
				got = append(got, tag.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Compute(%s).Tags = %q, want %q", cfg.Ref, got, tt.want)
			}
			labels := map[string]string{}
			for _, kv := range p.Labels {
				labels[kv[0]] = kv[1]
			}
			for k, v := range tt.labels {
				if labels[k] != v {
					t.Errorf("Compute() label %s = %q, want %q", k, labels[k], v)
				}
			}
		})
	}
}

func TestSanitizeTag(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 127) + "/b"
	tests := []struct{ name, in, want string }{
		{name: "plain", in: "main", want: "main"},
		{name: "slash", in: "feature/login", want: "feature-login"},
		{name: "runs collapse", in: "dependabot/npm_and_yarn/@types/node-20", want: "dependabot-npm_and_yarn-types-node-20"},
		{name: "case kept", in: "Feature/ABC", want: "Feature-ABC"},
		{name: "leading dot and dash dropped", in: ".-x", want: "x"},
		{name: "leading slash dropped", in: "/x", want: "x"},
		{name: "unicode", in: "fix/über", want: "fix-ber"},
		{name: "cut to 128 and trailing dash dropped", in: long, want: strings.Repeat("a", 127)},
		{name: "nothing left", in: "///", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := imagetag.SanitizeTag(tt.in); got != tt.want {
				t.Errorf("SanitizeTag(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseImage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want, err string
		lowered             bool
	}{
		{name: "ghcr", in: "ghcr.io/acme/app", want: "ghcr.io/acme/app"},
		{name: "port", in: "127.0.0.1:5000/acme/app", want: "127.0.0.1:5000/acme/app"},
		{name: "upper case is lowered", in: "ghcr.io/Acme/App", want: "ghcr.io/acme/app", lowered: true},
		{name: "separators", in: "ghcr.io/a.b/c__d/e-f--g", want: "ghcr.io/a.b/c__d/e-f--g"},
		{name: "empty", in: " ", err: "empty"},
		{name: "tag", in: "ghcr.io/acme/app:1.0", err: "holds a tag"},
		{name: "digest", in: "ghcr.io/acme/app@sha256:abc", err: "holds a digest"},
		{name: "URL", in: "https://ghcr.io/acme/app", err: "is a URL"},
		{name: "double slash", in: "ghcr.io/acme//app", err: "empty path component"},
		{name: "trailing slash", in: "ghcr.io/acme/", err: "empty path component"},
		{name: "leading separator", in: "ghcr.io/-app", err: `path component "-app"`},
		{name: "bad character", in: "ghcr.io/acme/a+b", err: `path component "a+b"`},
		{name: "too long", in: "ghcr.io/" + strings.Repeat("a", 256), err: "at most 255"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo, lowered, err := imagetag.ParseImage(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseImage(%q) error = %v, want one containing %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseImage(%q) error: %v", tt.in, err)
			}
			if repo.String() != tt.want || lowered != tt.lowered {
				t.Errorf("ParseImage(%q) = %s, %v, want %s, %v", tt.in, repo, lowered, tt.want, tt.lowered)
			}
		})
	}
}

// TestValidate checks that every bad input is reported naming the input.
func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(*imagetag.Config)
		input string
		want  string
	}{
		{name: "invalid image", edit: func(c *imagetag.Config) { c.Image = "ghcr.io/acme/app:latest" }, input: "image", want: "holds a tag"},
		{name: "digest of the wrong form", edit: func(c *imagetag.Config) { c.Digest = "sha256:abc" }, input: "digest", want: "64 lower-case hex digits"},
		{name: "digest without algorithm", edit: func(c *imagetag.Config) { c.Digest = strings.Repeat("a", 64) }, input: "digest", want: "is not a digest"},
		{name: "neither digest nor source", edit: func(c *imagetag.Config) { c.Digest = "" }, input: "digest", want: "required in apply mode"},
		{name: "digest and source", edit: func(c *imagetag.Config) { c.Source = "ghcr.io/acme/app:x" }, input: "source", want: "not both"},
		{name: "source not a reference", edit: func(c *imagetag.Config) { c.Digest, c.Source = "", "ghcr.io/acme/app:-x" }, input: "source", want: "not an image reference"},
		{name: "oci layout without folder", edit: func(c *imagetag.Config) { c.Digest, c.Source = "", "oci-layout:" }, input: "source", want: "names no folder"},
		{name: "mode", edit: func(c *imagetag.Config) { c.Mode = "push" }, input: "mode", want: `"push" is not one of apply, compute`},
		{name: "short sha", edit: func(c *imagetag.Config) { c.SHA = "0123456" }, input: "sha", want: "not a full commit id"},
		{name: "no sha", edit: func(c *imagetag.Config) { c.SHA = "" }, input: "sha", want: "no commit"},
		{name: "sha-length", edit: func(c *imagetag.Config) { c.SHALength = 41 }, input: "sha-length", want: "out of range"},
		{name: "version", edit: func(c *imagetag.Config) { c.Version = "one" }, input: "version", want: "neither a SemVer nor a PEP 440"},
		{name: "tag over 128 characters", edit: func(c *imagetag.Config) { c.ExtraTags = []string{strings.Repeat("x", 129)} }, input: "extra-tags", want: "at most 128"},
		{name: "tag with a bad character", edit: func(c *imagetag.Config) { c.ExtraTags = []string{"a/b"} }, input: "extra-tags", want: "characters a tag cannot"},
		{name: "unknown placeholder", edit: func(c *imagetag.Config) { c.ExtraTags = []string{"{ref}"} }, input: "extra-tags", want: "unknown placeholder {ref}"},
		{name: "moving tag starting with -", edit: func(c *imagetag.Config) { c.MovingTags = []imagetag.MovingTag{{Branch: "main", Tag: "-x"}} }, input: "moving-tags", want: "starts with"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := baseConfig()
			tt.edit(&cfg)
			err := cfg.Validate()
			want := `input "` + tt.input + `": `
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error with %q and %q", err, want, tt.want)
			}
		})
	}
	good := baseConfig()
	if err := good.Validate(); err != nil {
		t.Errorf("Validate() of a good config = %v, want nil", err)
	}
}

func TestParseMovingTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		items []string
		want  []imagetag.MovingTag
		err   string
	}{
		{name: "defaults", items: []string{"main=latest", " dev = dev "}, want: imagetag.DefaultMovingTags},
		{name: "pattern", items: []string{"release/*={branch}"}, want: []imagetag.MovingTag{{Branch: "release/*", Tag: "{branch}"}}},
		{name: "no =", items: []string{"main"}, err: `"main" has no "="`},
		{name: "empty tag", items: []string{"main="}, err: "needs a branch and a tag"},
		{name: "bad pattern", items: []string{"[=x"}, err: "not valid"},
		{name: "bad tag", items: []string{"main=.x"}, err: "starts with"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := imagetag.ParseMovingTags(tt.items)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseMovingTags(%q) error = %v, want %q", tt.items, err, tt.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("ParseMovingTags(%q) = %v, %v, want %v", tt.items, got, err, tt.want)
			}
		})
	}
}

func TestSelectSHA(t *testing.T) {
	t.Parallel()
	pr := runner.Event{Name: "pull_request", SHA: "merge", PRHead: "head"}
	push := runner.Event{Name: "push", SHA: "pushed"}
	tests := []struct {
		name, source, want string
		ev                 runner.Event
	}{
		{name: "pull request head", ev: pr, source: imagetag.SHASourceHead, want: "head"},
		{name: "pull request merge commit", ev: pr, source: imagetag.SHASourceMerge, want: "merge"},
		{name: "push", ev: push, source: imagetag.SHASourceHead, want: "pushed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := imagetag.SelectSHA(tt.ev, tt.source); got != tt.want {
				t.Errorf("SelectSHA(%s, %s) = %q, want %q", tt.ev.Name, tt.source, got, tt.want)
			}
		})
	}
}
