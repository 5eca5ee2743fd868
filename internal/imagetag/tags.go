package imagetag

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shipkit-dev/shipkit/internal/version"
)

// Kinds of tags.
const (
	KindSHA     = "sha"     // sha-<commit>: written once, never moved
	KindVersion = "version" // v<version>: follows the default branch and tags, monotonic
	KindMoving  = "moving"  // a moving-tags tag, monotonic
	KindExtra   = "extra"   // an extra-tags tag, monotonic
)

// Tag is one tag to give the image.
type Tag struct {
	Name string // the tag, such as sha-0123abcd
	Kind string // KindSHA, KindVersion, KindMoving or KindExtra
}

// Immutable reports whether the tag is written once and never moved.
func (t Tag) Immutable() bool { return t.Kind == KindSHA }

// OCI annotation keys shipkit sets, from the image-spec's pre-defined annotations:
// https://github.com/opencontainers/image-spec/blob/main/annotations.md
const (
	LabelRevision = "org.opencontainers.image.revision"
	LabelSource   = "org.opencontainers.image.source"
	LabelVersion  = "org.opencontainers.image.version"
	LabelCreated  = "org.opencontainers.image.created"
	LabelTitle    = "org.opencontainers.image.title"
)

// Plan is what a configuration asks for: the tags in the order they are written and the OCI
// metadata for a build.
type Plan struct {
	Repo    name.Repository
	Lowered bool // Config.Image had upper case, lowered in Repo
	SHA     string
	SHATag  string
	Tags    []Tag
	// Labels are the OCI labels, in the order of their keys above; empty values are left out.
	Labels [][2]string
	// Skipped says which configured tags do not apply to this event, and why.
	Skipped []string
}

// refKind splits GITHUB_REF into its kind (branch, tag, pr or "") and name.
func refKind(ref string) (kind, short string) {
	switch {
	case strings.HasPrefix(ref, "refs/heads/"):
		return "branch", strings.TrimPrefix(ref, "refs/heads/")
	case strings.HasPrefix(ref, "refs/tags/"):
		return "tag", strings.TrimPrefix(ref, "refs/tags/")
	case strings.HasPrefix(ref, "refs/pull/"):
		n, _, _ := strings.Cut(strings.TrimPrefix(ref, "refs/pull/"), "/")
		return "pr", n
	}
	return "", ""
}

// versionTagRE matches a git tag that is a version, with an optional v, as metadata-action's
// type=semver reads it.
var versionTagRE = regexp.MustCompile(`^v?[0-9]`)

// parseVersion reads a version as SemVer, else PEP 440.
func parseVersion(s string) (version.Version, error) {
	v, err := version.ParseSemVer(strings.TrimPrefix(s, "v"))
	if err == nil {
		return v, nil
	}
	if pv, perr := version.ParsePEP440(s); perr == nil {
		return pv, nil
	}
	return nil, fmt.Errorf("%q is neither a SemVer nor a PEP 440 version: %w", s, err)
}

// versionTag is v<version> in normalised form; build metadata's or a local version's + becomes
// - (a tag cannot hold +).
func versionTag(v version.Version) string {
	return SanitizeTag("v" + v.String())
}

// Compute validates c and works out the tags, in the order they are written: the sha tag, the
// version tag, moving tags, extra tags. A tag named twice is given once, with its first kind.
func Compute(c Config) (*Plan, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	repo, lowered, _ := ParseImage(c.Image)
	p := &Plan{Repo: repo, Lowered: lowered, SHA: strings.ToLower(c.SHA)}
	p.SHATag = "sha-" + p.SHA[:c.SHALength]
	seen := map[string]bool{}
	add := func(name, kind string) {
		if !seen[name] {
			seen[name] = true
			p.Tags = append(p.Tags, Tag{Name: name, Kind: kind})
		}
	}
	add(p.SHATag, KindSHA)

	kind, short := refKind(c.Ref)
	defaultBranch := c.DefaultBranch
	if defaultBranch == "" {
		defaultBranch = "main"
	}
	ver := c.Version
	if ver == "" && kind == "tag" && versionTagRE.MatchString(short) {
		if _, err := parseVersion(short); err == nil {
			ver = short
		}
	}
	var vtag string
	if ver != "" {
		v, err := parseVersion(ver)
		if err != nil {
			return nil, inputErr("version", err)
		}
		vtag = versionTag(v)
		ver = v.String()
		if (kind == "branch" && short == defaultBranch) || kind == "tag" {
			add(vtag, KindVersion)
		} else {
			p.Skipped = append(p.Skipped, fmt.Sprintf("%s: version tags are given on the default branch (%s) and on tags, not on %s", vtag, defaultBranch, describeRef(c.Ref)))
		}
	}
	for _, m := range c.MovingTags {
		if kind != "branch" {
			continue
		}
		if ok, _ := path.Match(m.Branch, short); !ok {
			continue
		}
		tag := strings.ReplaceAll(m.Tag, "{branch}", SanitizeTag(short))
		if err := CheckTag(tag); err != nil {
			return nil, inputErr("moving-tags", fmt.Errorf("branch %q gives %w", short, err))
		}
		add(tag, KindMoving)
	}
	fill := map[string]string{"sha": p.SHA[:c.SHALength], "version": vtag}
	if kind == "branch" {
		fill["branch"] = SanitizeTag(short)
	}
	if kind == "pr" {
		fill["pr"] = short
	}
	for _, tmpl := range c.ExtraTags {
		tag, missing := tmpl, ""
		for _, m := range placeholderRE.FindAllStringSubmatch(tmpl, -1) {
			v := fill[m[1]]
			if m[1] == "version" {
				v = strings.TrimPrefix(vtag, "v")
			}
			if v == "" {
				missing = m[1]
				break
			}
			tag = strings.ReplaceAll(tag, m[0], v)
		}
		if missing != "" {
			p.Skipped = append(p.Skipped, fmt.Sprintf("%s: {%s} is empty on %s", tmpl, missing, describeRef(c.Ref)))
			continue
		}
		if err := CheckTag(tag); err != nil {
			return nil, inputErr("extra-tags", err)
		}
		add(tag, KindExtra)
	}

	created := c.Created
	if created.IsZero() {
		created = time.Now()
	}
	labelVersion := ver
	if labelVersion == "" {
		labelVersion = p.SHATag
	}
	for _, kv := range [][2]string{
		{LabelRevision, p.SHA},
		{LabelSource, c.SourceURL},
		{LabelVersion, labelVersion},
		{LabelCreated, created.UTC().Format(time.RFC3339)},
		{LabelTitle, c.Title},
	} {
		if kv[1] != "" {
			p.Labels = append(p.Labels, kv)
		}
	}
	return p, nil
}

func describeRef(ref string) string {
	if ref == "" {
		return "this event (no GITHUB_REF)"
	}
	return ref
}

// Refs returns the full references of the plan's tags, such as ghcr.io/acme/app:sha-0123abcd.
func (p *Plan) Refs() []string {
	out := make([]string, len(p.Tags))
	for i, t := range p.Tags {
		out[i] = p.Repo.Tag(t.Name).String()
	}
	return out
}
