package version

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/mod/semver"
)

// semverOrgRegexp is the regular expression semver.org's FAQ suggests for
// checking a SemVer string. Tests hold the parser to it.
var semverOrgRegexp = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
	`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

func TestParseSemVerValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw, want string
		pre             bool
	}{
		{name: "plain", raw: "1.2.3", want: "1.2.3"},
		{name: "v prefix dropped", raw: "v1.2.3", want: "1.2.3"},
		{name: "zeros", raw: "0.0.0", want: "0.0.0"},
		{name: "multi-digit", raw: "10.20.30", want: "10.20.30"},
		{name: "huge numbers", raw: "99999999999999999999999.999999999999999999.99999999999999999", want: "99999999999999999999999.999999999999999999.99999999999999999"},
		// semver.org item 9's examples.
		{name: "spec pre-release alpha", raw: "1.0.0-alpha", want: "1.0.0-alpha", pre: true},
		{name: "spec pre-release alpha.1", raw: "1.0.0-alpha.1", want: "1.0.0-alpha.1", pre: true},
		{name: "spec pre-release numeric", raw: "1.0.0-0.3.7", want: "1.0.0-0.3.7", pre: true},
		{name: "spec pre-release mixed", raw: "1.0.0-x.7.z.92", want: "1.0.0-x.7.z.92", pre: true},
		{name: "spec pre-release hyphens", raw: "1.0.0-x-y-z.--", want: "1.0.0-x-y-z.--", pre: true},
		// semver.org item 10's examples.
		{name: "spec build with pre-release", raw: "1.0.0-alpha+001", want: "1.0.0-alpha+001", pre: true},
		{name: "spec build timestamp", raw: "1.0.0+20130313144700", want: "1.0.0+20130313144700"},
		{name: "spec build sha", raw: "1.0.0-beta+exp.sha.5114f85", want: "1.0.0-beta+exp.sha.5114f85", pre: true},
		{name: "spec build hyphens", raw: "1.0.0+21AF26D3----117B344092BD", want: "1.0.0+21AF26D3----117B344092BD"},
		{name: "pre-release identifier with leading zero and letters", raw: "1.0.0-0A.is.legal", want: "1.0.0-0A.is.legal", pre: true},
		{name: "pre-release identifier digits then letters", raw: "1.0.0-alpha.0valid", want: "1.0.0-alpha.0valid", pre: true},
		{name: "build identifier with leading zero", raw: "1.0.0+0.build.1-rc.10000aaa-kk-0.1", want: "1.0.0+0.build.1-rc.10000aaa-kk-0.1"},
		{name: "pre-release of hyphens only", raw: "1.2.3----RC-SNAPSHOT.12.9.1--.12+788", want: "1.2.3----RC-SNAPSHOT.12.9.1--.12+788", pre: true},
		{name: "v prefix with pre-release and build", raw: "v2.0.0-rc.1+build.123", want: "2.0.0-rc.1+build.123", pre: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := ParseSemVer(tt.raw)
			if err != nil {
				t.Fatalf("ParseSemVer(%q) error = %v, want nil", tt.raw, err)
			}
			if got := v.String(); got != tt.want {
				t.Errorf("ParseSemVer(%q).String() = %q, want %q", tt.raw, got, tt.want)
			}
			if got := v.Scheme(); got != SemVer {
				t.Errorf("ParseSemVer(%q).Scheme() = %q, want %q", tt.raw, got, SemVer)
			}
			if got := v.IsPrerelease(); got != tt.pre {
				t.Errorf("ParseSemVer(%q).IsPrerelease() = %v, want %v", tt.raw, got, tt.pre)
			}
			if v.IsDevRelease() || v.IsPostRelease() {
				t.Errorf("ParseSemVer(%q): IsDevRelease() or IsPostRelease() = true, want false", tt.raw)
			}
		})
	}
}

func TestParseSemVerInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw, reason string
	}{
		{name: "empty", raw: "", reason: "empty"},
		{name: "v only", raw: "v", reason: "empty"},
		{name: "major only", raw: "1", reason: "has 1 dot-separated numbers, want 3"},
		{name: "major.minor", raw: "1.2", reason: "has 2 dot-separated numbers, want 3"},
		{name: "four numbers", raw: "1.2.3.4", reason: "has 4 dot-separated numbers"},
		{name: "leading zero major", raw: "01.1.1", reason: `major version "01" must not have leading zeros`},
		{name: "leading zero minor", raw: "1.01.1", reason: `minor version "01" must not have leading zeros`},
		{name: "leading zero patch", raw: "1.1.01", reason: `patch version "01" must not have leading zeros`},
		{name: "empty minor", raw: "1..3", reason: "minor version is empty"},
		{name: "letter in patch", raw: "1.2.x", reason: `patch version "x" must be a non-negative integer`},
		{name: "negative", raw: "-1.0.3-gamma+b7718", reason: "has 1 dot-separated numbers"},
		{name: "leading zero numeric pre-release", raw: "1.2.3-0123", reason: `numeric pre-release identifier "0123" must not have leading zeros`},
		{name: "leading zeros in later identifier", raw: "1.2.3-0.0123", reason: `"0123" must not have leading zeros`},
		{name: "empty pre-release", raw: "1.2.3-", reason: `pre-release after "-" is empty`},
		{name: "empty pre-release identifier", raw: "1.0.0-alpha..1", reason: "empty identifier"},
		{name: "trailing dot in pre-release", raw: "1.0.0-alpha.", reason: "empty identifier"},
		{name: "underscore in pre-release", raw: "1.0.0-alpha_beta", reason: `has '_'`},
		{name: "empty build", raw: "1.2.3+", reason: `build metadata after "+" is empty`},
		{name: "build starts with dot", raw: "1.1.2+.123", reason: "empty identifier"},
		{name: "two plus signs", raw: "9.8.7+meta+meta", reason: `has '+'`},
		{name: "metadata only", raw: "+justmeta", reason: "has 1 dot-separated numbers"},
		{name: "pre-release only", raw: "-invalid+invalid", reason: "has 1 dot-separated numbers"},
		{name: "words", raw: "alpha.beta.1", reason: `major version "alpha" must be a non-negative integer`},
		{name: "capital V", raw: "V1.2.3", reason: `major version "V1"`},
		{name: "double v", raw: "vv1.2.3", reason: `major version "v1"`},
		{name: "leading space", raw: " 1.2.3", reason: `major version " 1"`},
		{name: "trailing newline", raw: "1.2.3\n", reason: `patch version "3\n"`},
		{name: "equals prefix", raw: "=1.2.3", reason: `major version "=1"`},
		{name: "non-ASCII digit", raw: "1.2.٣", reason: "must be a non-negative integer"},
		{name: "non-ASCII in build", raw: "1.2.3+é", reason: `has 'é'; only ASCII letters, digits`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := ParseSemVer(tt.raw)
			if err == nil {
				t.Fatalf("ParseSemVer(%q) = %v, want an error", tt.raw, v)
			}
			if v != nil {
				t.Errorf("ParseSemVer(%q) returned version %#v with its error, want nil", tt.raw, v)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseSemVer(%q) error = %T, want *ParseError", tt.raw, err)
			}
			if pe.Scheme != SemVer || pe.Value != tt.raw {
				t.Errorf("ParseSemVer(%q) error = {Scheme: %q, Value: %q}, want {%q, %q}", tt.raw, pe.Scheme, pe.Value, SemVer, tt.raw)
			}
			if !strings.Contains(pe.Reason, tt.reason) {
				t.Errorf("ParseSemVer(%q) reason = %q, want it to contain %q", tt.raw, pe.Reason, tt.reason)
			}
			if semverOrgRegexp.MatchString(strings.TrimPrefix(tt.raw, "v")) {
				t.Errorf("semver.org's regexp accepts %q, the test case is wrong", tt.raw)
			}
		})
	}
}

func TestSemVerPrecedence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		chain []string // ascending
	}{
		{name: "spec item 11.2", chain: []string{"1.0.0", "2.0.0", "2.1.0", "2.1.1"}},
		{name: "spec item 11.3", chain: []string{"1.0.0-alpha", "1.0.0"}},
		{name: "spec item 11.4", chain: []string{
			"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
			"1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
		}},
		{name: "numbers compare as integers", chain: []string{"1.9.0", "1.10.0", "1.11.0", "10.0.0", "99999999999999999999.0.0"}},
		{name: "ASCII order in identifiers", chain: []string{"1.0.0-RC.1", "1.0.0-beta", "1.0.0-rc.1"}},
		{name: "numeric identifiers before alphanumeric", chain: []string{"1.0.0-1", "1.0.0-999", "1.0.0--", "1.0.0-0a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkAscending(t, SemVer, tt.chain)
		})
	}
}

func TestSemVerBuildIgnoredInPrecedence(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, a, b string }{
		{name: "build vs none", a: "1.0.0+build.1", b: "1.0.0"},
		{name: "two builds", a: "1.0.0-rc.1+a", b: "1.0.0-rc.1+b"},
		{name: "v prefix", a: "v1.0.0", b: "1.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b := MustParse(SemVer, tt.a), MustParse(SemVer, tt.b)
			if got := a.Compare(b); got != 0 {
				t.Errorf("%q.Compare(%q) = %d, want 0", tt.a, tt.b, got)
			}
		})
	}
}

// oracleMaxLen is the longest input the fuzz targets check against a
// regular expression. Longer ones make regexp take other code paths, whose
// new coverage keeps the fuzzer minimising long inputs instead of exploring.
const oracleMaxLen = 256

// checkAscending checks that every version of chain sorts strictly after
// all earlier ones, in both directions of Compare.
func checkAscending(t *testing.T, s Scheme, chain []string) {
	t.Helper()
	vs := make([]Version, len(chain))
	for i, raw := range chain {
		v, err := Parse(s, raw)
		if err != nil {
			t.Fatalf("Parse(%q, %q) error = %v", s, raw, err)
		}
		vs[i] = v
	}
	for i := range vs {
		for j := range vs {
			want := cmpIndex(i, j)
			if got := vs[i].Compare(vs[j]); got != want {
				t.Errorf("%q.Compare(%q) = %d, want %d", chain[i], chain[j], got, want)
			}
		}
	}
}

func cmpIndex(i, j int) int {
	switch {
	case i < j:
		return -1
	case i > j:
		return 1
	default:
		return 0
	}
}

func FuzzParseSemVer(f *testing.F) {
	for _, seed := range [][2]string{
		{"1.0.0", "v1.0.0"},
		{"1.0.0-alpha", "1.0.0-alpha.1"},
		{"1.0.0-alpha.beta", "1.0.0-beta.11"},
		{"1.0.0-rc.1+build.5", "1.0.0"},
		{"1.0.0-0.3.7", "1.0.0-x.7.z.92"},
		{"1.0.0-x-y-z.--", "1.0.0+21AF26D3----117B344092BD"},
		{"1.2", "01.2.3"},
		{"1.2.3-0123", "1.2.3+"},
		{"99999999999999999999.0.0", "v0.0.0-0"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		va, err := ParseSemVer(a)
		if len(a) <= oracleMaxLen {
			if want := semverOrgRegexp.MatchString(strings.TrimPrefix(a, "v")); (err == nil) != want {
				t.Fatalf("ParseSemVer(%q) error = %v, but semver.org's regexp match = %v", a, err, want)
			}
		}
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Value != a || pe.Reason == "" {
				t.Fatalf("ParseSemVer(%q) error = %#v, want a *ParseError naming the value and a reason", a, err)
			}
			return
		}
		s := va.String()
		if s != strings.TrimPrefix(a, "v") {
			t.Errorf("ParseSemVer(%q).String() = %q, want the input without its v", a, s)
		}
		again, err := ParseSemVer(s)
		if err != nil {
			t.Fatalf("ParseSemVer(%q) (from %q) error = %v", s, a, err)
		}
		if again.String() != s || again.Compare(va) != 0 || va.Compare(again) != 0 {
			t.Errorf("ParseSemVer(%q) does not round-trip through %q", a, s)
		}
		if got, want := va.IsPrerelease(), semver.Prerelease("v"+s) != ""; got != want {
			t.Errorf("ParseSemVer(%q).IsPrerelease() = %v, want %v", a, got, want)
		}
		vb, err := ParseSemVer(b)
		if err != nil {
			return
		}
		ab, ba := va.Compare(vb), vb.Compare(va)
		if ab != -ba || ab < -1 || ab > 1 {
			t.Errorf("Compare is not antisymmetric: %q vs %q = %d, reverse = %d", a, b, ab, ba)
		}
	})
}
