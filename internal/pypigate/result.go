package pypigate

import (
	"fmt"
	"strings"
)

// Result is one decision; it renders the outputs, the step summary and the notice.
type Result struct {
	Name        string // the package part of the tag
	Project     string // the project name on the index ([project].name)
	Tag         string
	Commit      string
	PackagePath string
	Manifest    string
	Version     string // normalised PEP 440
	Prerelease  bool
	// DynamicVersion is true when the manifest computes the version; it was read from the tag.
	DynamicVersion bool
	PreviousTag    string
	// Changed is true when the package folder differs from the previous tag (or there is none).
	Changed         bool
	PublishTestPyPI bool
	PublishPyPI     bool
	TestPyPIVersion string
	// OnPyPI and OnTestPyPI record what the indexes already had.
	OnPyPI, OnTestPyPI bool
	// Reason is one sentence a person reads.
	Reason string

	notes []string
}

// Outcome is the `result` output.
func (r *Result) Outcome() string {
	if r.PublishTestPyPI || r.PublishPyPI {
		return ResultPublish
	}
	return ResultSkip
}

// Outputs are the action's outputs, in a stable order.
func (r *Result) Outputs() [][2]string {
	return [][2]string{
		{"result", r.Outcome()},
		{"publish", fmt.Sprint(r.PublishTestPyPI || r.PublishPyPI)},
		{"publish-testpypi", fmt.Sprint(r.PublishTestPyPI)},
		{"publish-pypi", fmt.Sprint(r.PublishPyPI)},
		{"name", r.Name},
		{"package-path", r.PackagePath},
		{"version", r.Version},
		{"prerelease", fmt.Sprint(r.Prerelease)},
		{"previous-tag", r.PreviousTag},
		{"testpypi-version", r.TestPyPIVersion},
		{"reason", r.Reason},
	}
}

// Notice is the informational annotation of a skip, "" when publishing.
func (r *Result) Notice() string {
	if r.Outcome() == ResultSkip {
		return r.Reason
	}
	return ""
}

// decisionText is the reason of a changed package: where it goes and why.
func (r *Result) decisionText() string {
	var b strings.Builder
	if r.PreviousTag == "" {
		fmt.Fprintf(&b, "first release of %s", r.Name)
	} else {
		fmt.Fprintf(&b, "%s/ changed since %s", r.PackagePath, r.PreviousTag)
	}
	switch {
	case r.OnPyPI:
		fmt.Fprintf(&b, ", but %s %s is already published on PyPI: nothing to upload", r.Project, r.Version)
	case r.PublishTestPyPI && r.PublishPyPI:
		fmt.Fprintf(&b, ": publishing %s to TestPyPI%s, then PyPI", r.Version, r.devText())
	case r.PublishPyPI && r.OnTestPyPI:
		fmt.Fprintf(&b, ": %s is already published on TestPyPI, so it goes to PyPI only", r.TestPyPIVersion)
	case r.PublishPyPI:
		fmt.Fprintf(&b, ": publishing %s to PyPI", r.Version)
	case r.PublishTestPyPI:
		fmt.Fprintf(&b, ": %s is a pre-release, so it goes to TestPyPI%s only, never to PyPI", r.Version, r.devText())
	case r.OnTestPyPI:
		fmt.Fprintf(&b, ", but pre-release %s is already published on TestPyPI and never goes to PyPI: nothing to upload", r.TestPyPIVersion)
	default:
		fmt.Fprintf(&b, ", but %s is a pre-release (never to PyPI) and testpypi is false: nothing to upload", r.Version)
	}
	return b.String()
}

func (r *Result) devText() string {
	if r.TestPyPIVersion != r.Version {
		return " as " + r.TestPyPIVersion
	}
	return ""
}

// Summary renders the Markdown step summary.
func (r *Result) Summary() string {
	var b strings.Builder
	b.WriteString("## pypi-gate\n\n")
	b.WriteString("| package | version | previous tag | TestPyPI | PyPI | decision |\n|---|---|---|---|---|---|\n")
	prev := "none (first release)"
	if r.PreviousTag != "" {
		prev = "`" + r.PreviousTag + "`"
	}
	kind := "stable"
	if r.Prerelease {
		kind = "pre-release"
	}
	fmt.Fprintf(&b, "| %s (`%s/`) | %s (%s) | %s | %s | %s | **%s** |\n",
		md(r.Project), r.PackagePath, r.Version, kind, prev, yesNo(r.PublishTestPyPI, r.TestPyPIVersion), yesNo(r.PublishPyPI, r.Version), r.Outcome())
	fmt.Fprintf(&b, "\n%s.\n", md(upperFirst(r.Reason)))
	for _, n := range r.notes {
		fmt.Fprintf(&b, "\nNote: %s.\n", md(n))
	}
	return b.String()
}

func yesNo(publish bool, v string) string {
	if publish {
		return "upload " + v
	}
	return "no"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// md escapes table cell text.
func md(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// Notes are remarks a person should read beside the decision, such as a version read from the
// tag because the manifest's is dynamic.
func (r *Result) Notes() []string { return r.notes }
