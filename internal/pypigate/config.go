// Package pypigate decides whether a Python package release goes to TestPyPI and PyPI: step 4
// of shipkit's reference pipeline. A release tag such as acme-lib-v0.4.0 is published only when
// the package's folder changed since the right earlier tag of the same package (compared as
// trees, so the cost does not depend on the history's size), pre-releases never go to PyPI, and
// a version the index already has is not uploaded again, so reruns are safe.
package pypigate

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/shipkit-dev/shipkit/internal/tagname"
)

// Outcomes of a run, the `result` output.
const (
	ResultPublish = "publish"
	ResultSkip    = "skip"
	ResultFailed  = "failed"
)

// Placeholders of the package-path and pyproject inputs.
const (
	NamePlaceholder        = "{name}"
	PackagePathPlaceholder = "{package-path}"
)

// maxTagLen bounds the tag name: matching it against a template tries every split.
const maxTagLen = 200

// Config is pypi-gate's input.
type Config struct {
	// Tag is the release tag being published, such as acme-lib-v0.4.0.
	Tag string
	// TagTemplate is the grammar of release tags, the same as version-bump-detect's. Its
	// {name} (or {dir}) part names the package.
	TagTemplate tagname.Template
	// PackagePath is the package's folder, relative to the repository root; {name} stands for
	// the package part of the tag.
	PackagePath string
	// Pyproject is the manifest holding the version; {package-path} and {name} are replaced.
	Pyproject string
	// TestPyPI publishes to TestPyPI first.
	TestPyPI bool
	// TestPyPIDevVersion gives TestPyPI a unique .devN version made from RunNumber and
	// RunAttempt, since TestPyPI refuses a file name twice.
	TestPyPIDevVersion bool
	RunNumber          int64
	RunAttempt         int64
	// CheckIndex asks the indexes whether the version is already published.
	CheckIndex bool
	// IndexURL is PyPI's base URL (its JSON API is under /pypi/); TestPyPIIndexURL is TestPyPI's.
	IndexURL         string
	TestPyPIIndexURL string
}

// Validate checks the combination of inputs.
func (c *Config) Validate() error {
	var errs []error
	if c.Tag == "" {
		errs = append(errs, errors.New(`input "tag": no tag given and the event is not a tag push or a release; run on push: tags or release: published, or pass tag`))
	} else if len(c.Tag) > maxTagLen {
		errs = append(errs, fmt.Errorf(`input "tag": %q is longer than %d characters`, c.Tag[:40]+"...", maxTagLen))
	} else if err := tagname.Check(c.Tag); err != nil {
		errs = append(errs, fmt.Errorf(`input "tag": %w`, err))
	}
	if c.TagTemplate.String() == "" {
		errs = append(errs, errors.New(`input "tag-template": it is empty; use for example {name}-v{version}`))
	}
	if err := checkRelPath("package-path", c.PackagePath); err != nil {
		errs = append(errs, err)
	}
	if err := checkRelPath("pyproject", c.Pyproject); err != nil {
		errs = append(errs, err)
	}
	if strings.Contains(c.PackagePath, NamePlaceholder) && !c.TagTemplate.UsesName() && c.TagTemplate.String() != "" {
		errs = append(errs, fmt.Errorf(`input "package-path": %q uses {name} but tag-template %q names no package; give package-path without {name} or use {name} in the template`, c.PackagePath, c.TagTemplate.String()))
	}
	if c.CheckIndex {
		if err := checkURL("index-url", c.IndexURL); err != nil {
			errs = append(errs, err)
		}
		if c.TestPyPI {
			if err := checkURL("testpypi-index-url", c.TestPyPIIndexURL); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if c.TestPyPIDevVersion {
		switch {
		case !c.TestPyPI:
			errs = append(errs, errors.New(`input "testpypi-dev-version": it only applies with testpypi: true`))
		case c.RunNumber <= 0:
			errs = append(errs, errors.New(`input "testpypi-dev-version": the run number is unknown (GITHUB_RUN_NUMBER); it is set on GitHub's runners`))
		case c.RunAttempt < 1 || c.RunAttempt > 99:
			errs = append(errs, fmt.Errorf(`input "testpypi-dev-version": run attempt %d is outside 1..99 (GITHUB_RUN_ATTEMPT)`, c.RunAttempt))
		}
	}
	return errors.Join(errs...)
}

func checkRelPath(input, p string) error {
	if p == "" {
		return fmt.Errorf("input %q: it is empty", input)
	}
	if strings.HasPrefix(p, "/") || strings.Contains("/"+p+"/", "/../") {
		return fmt.Errorf("input %q: %q must be relative to the repository root and stay inside it", input, p)
	}
	return nil
}

func checkURL(input, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("input %q: %q is not an http(s) URL such as https://pypi.org", input, raw)
	}
	return nil
}

// packagePath renders the package folder for the package part of the tag, without a trailing slash.
func (c *Config) packagePath(name string) string {
	p := strings.ReplaceAll(c.PackagePath, NamePlaceholder, name)
	p = strings.Trim(strings.TrimPrefix(p, "./"), "/")
	if p == "" {
		return "."
	}
	return p
}

// pyprojectPath renders the manifest path.
func (c *Config) pyprojectPath(name, pkgPath string) string {
	p := strings.ReplaceAll(c.Pyproject, PackagePathPlaceholder, pkgPath)
	p = strings.ReplaceAll(p, NamePlaceholder, name)
	p = strings.TrimPrefix(p, "./")
	return strings.TrimPrefix(p, "./")
}
