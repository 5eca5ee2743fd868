package versionbump

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Outcomes of a run, the `result` output.
const (
	ResultBumped    = "bumped"
	ResultUnchanged = "unchanged"
	ResultFailed    = "failed"
)

// Package is one manifest's outcome. Its JSON form is one entry of the `packages` output.
type Package struct {
	Name            string `json:"name"`
	Path            string `json:"path"`
	Dir             string `json:"-"`
	Ecosystem       string `json:"ecosystem"`
	Version         string `json:"version"`
	PreviousVersion string `json:"previous-version"`
	Tag             string `json:"tag"`
	Prerelease      bool   `json:"prerelease"`
	TagCreated      bool   `json:"tag-created"`
	ReleaseURL      string `json:"release-url"`
	Changed         bool   `json:"-"`
	// Reason says in words why the package is or is not bumped.
	Reason string `json:"-"`
	// BaseRef is what the version was compared with: a short SHA or a tag.
	BaseRef string `json:"-"`
	// PreviousTag is the package's latest tag below Version, the start of its release notes.
	PreviousTag string `json:"-"`

	existingTagCommit string
	previousTagCommit string
}

// Result is the outcome of a run; it renders the outputs and the step summary.
type Result struct {
	Head, Base string
	DryRun     bool
	Packages   []Package
}

// Bumped lists the packages whose version went up.
func (r *Result) Bumped() []Package {
	var out []Package
	for _, p := range r.Packages {
		if p.Changed {
			out = append(out, p)
		}
	}
	return out
}

// Outcome is the `result` output.
func (r *Result) Outcome() string {
	if len(r.Bumped()) > 0 {
		return ResultBumped
	}
	return ResultUnchanged
}

// Outputs are the action's outputs, in a stable order.
func (r *Result) Outputs() [][2]string {
	bumped := r.Bumped()
	if bumped == nil {
		bumped = []Package{}
	}
	js, err := json.Marshal(bumped)
	if err != nil {
		panic(err) // Package holds only strings and bools
	}
	out := [][2]string{
		{"result", r.Outcome()},
		{"changed", fmt.Sprint(len(bumped) > 0)},
		{"packages", string(js)},
	}
	if len(bumped) == 1 {
		p := bumped[0]
		out = append(out,
			[2]string{"name", p.Name},
			[2]string{"version", p.Version},
			[2]string{"previous-version", p.PreviousVersion},
			[2]string{"tag", p.Tag},
			[2]string{"prerelease", fmt.Sprint(p.Prerelease)},
			[2]string{"tag-created", fmt.Sprint(p.TagCreated)},
			[2]string{"release-url", p.ReleaseURL},
		)
	}
	return out
}

// Summary renders the Markdown step summary.
func (r *Result) Summary() string {
	var b strings.Builder
	b.WriteString("## version-bump-detect\n\n")
	fmt.Fprintf(&b, "Compared %s with %s.", r.baseText(), short(r.Head))
	if r.DryRun {
		b.WriteString(" Dry run: nothing was created.")
	}
	b.WriteString("\n\n| package | manifest | version | previous | tag | outcome |\n|---|---|---|---|---|---|\n")
	for _, p := range r.Packages {
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s |\n", md(p.Name), p.Path, dash(p.Version), dash(p.PreviousVersion), tagCell(p), md(p.outcomeText(r.DryRun)))
	}
	if created := r.created(); created > 0 {
		b.WriteString("\n> [!NOTE]\n> Tags and releases created with `GITHUB_TOKEN` start no workflow runs (no `push: tags` or `release` trigger fires). ")
		b.WriteString("Chain the follow-up jobs in the same workflow with `needs:` and this step's outputs, or pass a GitHub App token or a fine-grained PAT as `token`.\n")
	}
	return b.String()
}

func (r *Result) created() int {
	n := 0
	for _, p := range r.Packages {
		if p.TagCreated || p.ReleaseURL != "" {
			n++
		}
	}
	return n
}

func (r *Result) baseText() string {
	if r.Base == "" {
		return "each package's latest tag"
	}
	return short(r.Base)
}

func (p Package) outcomeText(dryRun bool) string {
	switch {
	case !p.Changed:
		return "unchanged: " + p.Reason
	case p.ReleaseURL != "":
		return "released: " + p.ReleaseURL
	case p.TagCreated:
		return "tagged"
	case p.existingTagCommit != "":
		return "bumped; tag already there"
	case dryRun:
		return "bumped (dry run)"
	default:
		return "bumped"
	}
}

func tagCell(p Package) string {
	if p.Tag == "" {
		return "-"
	}
	return "`" + p.Tag + "`"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// md escapes table cell text.
func md(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
