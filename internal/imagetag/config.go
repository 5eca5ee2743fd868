// Package imagetag gives a pushed container image its tags in a registry: an immutable
// `sha-<commit>` tag, `v<version>` on the default branch or a tag, and moving tags (`latest`,
// `dev`) that only go forward in the commit history. A retag copies the manifest by digest, so
// the digest never changes and no layer moves within one repository; a copy to another
// repository or registry moves each missing blob once. Step 2 of shipkit's reference pipeline;
// see https://github.com/shipkit-dev/shipkit/issues/3.
//
// In compute mode nothing is read or written: Run only renders the tags, OCI labels and
// annotations for a build step, in place of docker/metadata-action.
package imagetag

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/shipkit-dev/shipkit/internal/runner"
)

// Modes of a run, the `mode` input.
const (
	ModeApply   = "apply"   // write the tags
	ModeCompute = "compute" // only output tags, labels and annotations for a build step
)

// Modes lists the valid modes.
var Modes = []string{ModeApply, ModeCompute}

// Where the commit of a pull_request event comes from, the `sha-source` input.
const (
	SHASourceHead  = "head"  // the pull request's head commit, what the developer pushed
	SHASourceMerge = "merge" // GITHUB_SHA: the synthetic merge commit GitHub builds
)

// SHASources lists the valid sha-source values.
var SHASources = []string{SHASourceHead, SHASourceMerge}

// Prefixes of the `source` input that name local images.
const (
	OCILayoutPrefix     = "oci-layout:"
	DockerArchivePrefix = "docker-archive:"
)

// MaxTagLength is the longest tag the OCI distribution specification allows.
const MaxTagLength = 128

// Config is sha-tag-image's input.
type Config struct {
	// Image is the repository, such as ghcr.io/acme/app. Upper case is lowered (registries accept
	// only lower-case repository names, and GitHub's expressions cannot lower
	// github.repository).
	Image string
	// Digest is the digest of a manifest already pushed to Image (sha256:...). Exactly one of
	// Digest and Source is needed in apply mode.
	Digest string
	// Source is a registry reference (by tag or digest, in any repository or registry),
	// oci-layout:<dir>[@sha256:...] or docker-archive:<file>.
	Source string
	// SHA is the commit the image was built from (40 or 64 hex digits).
	SHA string
	// SHALength is the number of hex digits in the sha tag (default 8).
	SHALength int
	// Version adds v<version> on the default branch and on tags; SemVer or PEP 440.
	Version string
	// Ref is GITHUB_REF: refs/heads/<branch>, refs/tags/<tag> or refs/pull/<n>/merge.
	Ref string
	// DefaultBranch is the repository's default branch (default main).
	DefaultBranch string
	// MovingTags map branches to the tags that follow them.
	MovingTags []MovingTag
	// ExtraTags are more tags, with the placeholders {branch}, {sha}, {version} and {pr}; a tag
	// whose placeholder is empty for this event is left out.
	ExtraTags []string
	// Monotonic lets a moving tag advance only to a descendant of the commit it records now.
	Monotonic bool
	// Mode is ModeApply or ModeCompute.
	Mode string
	// DryRun reads the registry but writes nothing.
	DryRun bool
	// SourceURL, Title and Created fill the OCI labels source, title and created (optional).
	SourceURL string
	Title     string
	Created   time.Time
}

// MovingTag is one line of the moving-tags input: the tag follows the branches the pattern
// matches (path.Match syntax, so `release/*` matches `release/1.2`). The tag may hold {branch},
// the branch name sanitised into a tag.
type MovingTag struct {
	Branch string
	Tag    string
}

// DefaultMovingTags is the default of the moving-tags input.
var DefaultMovingTags = []MovingTag{{Branch: "main", Tag: "latest"}, {Branch: "dev", Tag: "dev"}}

// ParseMovingTags reads `branch=tag` items.
func ParseMovingTags(items []string) ([]MovingTag, error) {
	var out []MovingTag
	for _, item := range items {
		branch, tag, ok := strings.Cut(item, "=")
		branch, tag = strings.TrimSpace(branch), strings.TrimSpace(tag)
		switch {
		case !ok:
			return nil, fmt.Errorf("%q has no \"=\": write branch=tag, such as main=latest", item)
		case branch == "" || tag == "":
			return nil, fmt.Errorf("%q needs a branch and a tag on either side of \"=\", such as main=latest", item)
		}
		if _, err := path.Match(branch, ""); err != nil {
			return nil, fmt.Errorf("branch pattern %q is not valid: %w", branch, err)
		}
		if err := checkTagTemplate(tag, "branch"); err != nil {
			return nil, fmt.Errorf("tag %q: %w", tag, err)
		}
		out = append(out, MovingTag{Branch: branch, Tag: tag})
	}
	return out, nil
}

// placeholders maps each placeholder of a tag template to an example value, to validate
// templates before an event fills them.
var placeholders = map[string]string{"branch": "main", "sha": "0123abcd", "version": "1.0.0", "pr": "1"}

// checkTagTemplate checks that tmpl uses only the allowed placeholders and is a valid tag once
// they are filled.
func checkTagTemplate(tmpl string, allowed ...string) error {
	filled := tmpl
	for _, m := range placeholderRE.FindAllStringSubmatch(tmpl, -1) {
		if !slices.Contains(allowed, m[1]) {
			return fmt.Errorf("unknown placeholder {%s}: use %s", m[1], "{"+strings.Join(allowed, "}, {")+"}")
		}
		filled = strings.ReplaceAll(filled, m[0], placeholders[m[1]])
	}
	if strings.ContainsAny(filled, "{}") {
		return errors.New("unbalanced { or }: placeholders are written {name}")
	}
	return CheckTag(filled)
}

var placeholderRE = regexp.MustCompile(`\{([a-z]+)\}`)

// tagRE is the distribution specification's tag grammar.
var tagRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// CheckTag reports the rule of the OCI distribution specification a tag breaks: at most 128
// characters of letters, digits, _, . and -, not starting with . or -.
func CheckTag(tag string) error {
	switch {
	case tag == "":
		return errors.New("a tag cannot be empty")
	case len(tag) > MaxTagLength:
		return fmt.Errorf("tag %q is %d characters long: a tag has at most %d", tag, len(tag), MaxTagLength)
	case tag[0] == '.' || tag[0] == '-':
		return fmt.Errorf("tag %q starts with %q: a tag starts with a letter, a digit or _", tag, tag[0])
	case !tagRE.MatchString(tag):
		return fmt.Errorf("tag %q holds characters a tag cannot: use only letters, digits, _, . and -", tag)
	}
	return nil
}

// SanitizeTag turns a branch name (or any text) into a valid tag the way docker/metadata-action
// does, so that users find the tags they expect: every run of characters other than letters,
// digits, _, . and - becomes one -, leading . and - are dropped, the result is cut to 128
// characters and a trailing . or - left by the cut is dropped. Case is kept. It returns "" when
// nothing is left.
//
//	feature/login    -> feature-login
//	releases/v1      -> releases-v1
//	dependabot/npm_and_yarn/@types/node-20 -> dependabot-npm_and_yarn-types-node-20
func SanitizeTag(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if r < 0x80 && (r == '_' || r == '.' || r == '-' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')) {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimLeft(b.String(), ".-")
	if len(out) > MaxTagLength {
		out = strings.TrimRight(out[:MaxTagLength], ".-")
	}
	return out
}

// pathComponentRE is one component of a repository name (OCI distribution specification).
var pathComponentRE = regexp.MustCompile(`^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$`)

// ParseImage checks the image input: a repository without tag or digest, such as
// ghcr.io/acme/app. Upper case in the repository path is lowered; lowered reports that. The
// error names the rule broken.
func ParseImage(image string) (repo name.Repository, lowered bool, err error) {
	image = strings.TrimSpace(image)
	if image == "" {
		return repo, false, errors.New("it is empty: give the repository, such as ghcr.io/acme/app")
	}
	if i := strings.IndexByte(image, '@'); i >= 0 {
		return repo, false, fmt.Errorf("%q holds a digest (%s): give the repository only, and the digest in `digest`", image, image[i:])
	}
	if strings.Contains(image, "://") {
		return repo, false, fmt.Errorf("%q is a URL: give the repository without a scheme, such as ghcr.io/acme/app", image)
	}
	host, rest, hasHost := strings.Cut(image, "/")
	if !hasHost || !(strings.ContainsAny(host, ".:") || host == "localhost") {
		host, rest = "", image // Docker Hub
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		return repo, false, fmt.Errorf("%q holds a tag (%s): give the repository only; tags come from the other inputs", image, rest[i:])
	}
	if lower := strings.ToLower(rest); lower != rest {
		rest, lowered = lower, true
	}
	if len(rest) > 255 {
		return repo, false, fmt.Errorf("repository name %q is %d characters long: at most 255", rest, len(rest))
	}
	for _, c := range strings.Split(rest, "/") {
		if c == "" {
			return repo, false, fmt.Errorf("%q has an empty path component: remove the doubled or trailing /", image)
		}
		if !pathComponentRE.MatchString(c) {
			return repo, false, fmt.Errorf("path component %q of %q is not valid: use lower-case letters and digits, separated by one ., one or two _, or -", c, image)
		}
	}
	full := rest
	if host != "" {
		full = host + "/" + rest
	}
	repo, err = name.NewRepository(full)
	if err != nil {
		return repo, false, fmt.Errorf("parsing %q: %w", image, err)
	}
	return repo, lowered, nil
}

// ParseDigest checks a manifest digest: sha256: and 64 lower-case hex digits (or sha512: and 128).
func ParseDigest(d string) (v1.Hash, error) {
	algo, hex, ok := strings.Cut(d, ":")
	want := map[string]int{"sha256": 64, "sha512": 128}[algo]
	if !ok || want == 0 {
		return v1.Hash{}, fmt.Errorf("%q is not a digest: write sha256: and 64 hex digits, as docker/build-push-action's `digest` output gives it", d)
	}
	if len(hex) != want || strings.Trim(hex, "0123456789abcdef") != "" {
		return v1.Hash{}, fmt.Errorf("%q is not a digest: %s takes %d lower-case hex digits, it has %d characters", d, algo, want, len(hex))
	}
	return v1.NewHash(d)
}

// checkSHA checks a commit id: 40 (SHA-1) or 64 (SHA-256) hex digits.
func checkSHA(sha string) error {
	if (len(sha) != 40 && len(sha) != 64) || strings.Trim(strings.ToLower(sha), "0123456789abcdef") != "" {
		return fmt.Errorf("%q is not a full commit id: give 40 hex digits (the event's commit is the default)", sha)
	}
	return nil
}

// SelectSHA returns the commit to tag for an event: on pull_request events the head commit
// with SHASourceHead (not GITHUB_SHA, the synthetic merge commit GitHub builds), else
// GITHUB_SHA.
func SelectSHA(ev runner.Event, shaSource string) string {
	if ev.IsPullRequest() && shaSource == SHASourceHead && ev.PRHead != "" {
		return ev.PRHead
	}
	return ev.SHA
}

// inputErr names the input at fault.
func inputErr(input string, err error) error {
	return fmt.Errorf("input %q: %w", input, err)
}

// Validate checks the inputs and their combination; every problem is reported, each naming
// its input.
func (c *Config) Validate() error {
	var errs []error
	add := func(input string, err error) {
		if err != nil {
			errs = append(errs, inputErr(input, err))
		}
	}
	_, _, err := ParseImage(c.Image)
	add("image", err)
	if !slices.Contains(Modes, c.Mode) {
		add("mode", fmt.Errorf("%q is not one of %s", c.Mode, strings.Join(Modes, ", ")))
	}
	if c.Digest != "" {
		_, err := ParseDigest(c.Digest)
		add("digest", err)
	}
	if c.Source != "" {
		add("source", checkSource(c.Source))
	}
	if c.Mode == ModeApply {
		switch {
		case c.Digest != "" && c.Source != "":
			add("source", errors.New("give either `digest` (an image already pushed to `image`) or `source`, not both"))
		case c.Digest == "" && c.Source == "":
			add("digest", errors.New("required in apply mode: give the digest docker/build-push-action pushed, or a `source` to copy; or set mode: compute"))
		}
	}
	if c.SHA == "" {
		add("sha", errors.New("no commit: the event has none; give `sha`"))
	} else {
		add("sha", checkSHA(c.SHA))
	}
	if c.SHALength < 4 || c.SHALength > 40 {
		add("sha-length", fmt.Errorf("%d is out of range: use 4 to 40", c.SHALength))
	}
	if c.Version != "" {
		_, err := parseVersion(c.Version)
		add("version", err)
	}
	for _, t := range c.ExtraTags {
		if err := checkTagTemplate(t, "branch", "sha", "version", "pr"); err != nil {
			add("extra-tags", fmt.Errorf("tag %q: %w", t, err))
		}
	}
	for _, m := range c.MovingTags {
		if err := checkTagTemplate(m.Tag, "branch"); err != nil {
			add("moving-tags", fmt.Errorf("tag %q: %w", m.Tag, err))
		}
	}
	return errors.Join(errs...)
}

// checkSource checks the form of the source input (its existence is checked by Run).
func checkSource(s string) error {
	switch {
	case strings.HasPrefix(s, OCILayoutPrefix):
		dir, digest, _ := strings.Cut(strings.TrimPrefix(s, OCILayoutPrefix), "@")
		if dir == "" {
			return fmt.Errorf("%q names no folder: write oci-layout:<dir>", s)
		}
		if digest != "" {
			if _, err := ParseDigest(digest); err != nil {
				return err
			}
		}
		return nil
	case strings.HasPrefix(s, DockerArchivePrefix):
		if strings.TrimPrefix(s, DockerArchivePrefix) == "" {
			return fmt.Errorf("%q names no file: write docker-archive:<file>", s)
		}
		return nil
	}
	ref, err := name.ParseReference(s)
	if err == nil {
		if tag, ok := ref.(name.Tag); ok {
			err = CheckTag(tag.TagStr())
		}
	}
	if err != nil {
		return fmt.Errorf("%q is not an image reference (registry/repository:tag or @sha256:...), oci-layout:<dir> or docker-archive:<file>: %w", s, err)
	}
	return nil
}
