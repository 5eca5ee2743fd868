package version

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// pep440AppendixB is the regular expression of PEP 440's "Appendix B:
// Parsing version strings with regular expressions", in Go syntax, with
// Python's \s spelled out as ASCII whitespace. The fuzz target holds the
// parser to it: the same strings accepted, the same parts found.
var pep440AppendixB = regexp.MustCompile(`(?i)^[ \t\n\r\f\v]*v?(?:` +
	`(?:(?P<epoch>[0-9]+)!)?` +
	`(?P<release>[0-9]+(?:\.[0-9]+)*)` +
	`(?P<pre>[-_\.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_\.]?(?P<pre_n>[0-9]+)?)?` +
	`(?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_\.]?(?P<post_l>post|rev|r)[-_\.]?(?P<post_n2>[0-9]+)?))?` +
	`(?P<dev>[-_\.]?(?P<dev_l>dev)[-_\.]?(?P<dev_n>[0-9]+)?)?` +
	`)(?:\+(?P<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?[ \t\n\r\f\v]*$`)

// pep440Canonical matches the normalised form: what String must return.
var pep440Canonical = regexp.MustCompile(`^([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*` +
	`((a|b|rc)(0|[1-9][0-9]*))?(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?` +
	`(\+[a-z0-9]+(\.[a-z0-9]+)*)?$`)

// referenceNormalise normalises raw from the Appendix B match, a second,
// independent way to the normal form. ok is false if raw does not match.
func referenceNormalise(raw string) (norm string, ok bool) {
	m := pep440AppendixB.FindStringSubmatch(raw)
	if m == nil {
		return "", false
	}
	g := func(name string) string { return m[pep440AppendixB.SubexpIndex(name)] }
	num := func(s string) string {
		if s == "" {
			return "0"
		}
		return trimZeros(s)
	}
	var b strings.Builder
	if e := num(g("epoch")); e != "0" {
		b.WriteString(e + "!")
	}
	rel := strings.Split(g("release"), ".")
	for i, n := range rel {
		rel[i] = num(n)
	}
	b.WriteString(strings.Join(rel, "."))
	if l := strings.ToLower(g("pre_l")); l != "" {
		b.WriteString(map[string]string{"alpha": "a", "a": "a", "beta": "b", "b": "b", "c": "rc", "pre": "rc", "preview": "rc", "rc": "rc"}[l])
		b.WriteString(num(g("pre_n")))
	}
	if g("post") != "" {
		b.WriteString(".post" + num(g("post_n1")+g("post_n2")))
	}
	if g("dev") != "" {
		b.WriteString(".dev" + num(g("dev_n")))
	}
	if l := g("local"); l != "" {
		segs := strings.FieldsFunc(strings.ToLower(l), func(r rune) bool { return r == '.' || r == '-' || r == '_' })
		for i, s := range segs {
			segs[i] = localSegment(s)
		}
		b.WriteString("+" + strings.Join(segs, "."))
	}
	return b.String(), true
}

func TestParsePEP440Normalisation(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, raw, want string }{
		{name: "final", raw: "1.0", want: "1.0"},
		{name: "release keeps its length", raw: "1.0.0", want: "1.0.0"},
		// PEP 440 "Normalization", section by section.
		{name: "case sensitivity", raw: "1.1RC1", want: "1.1rc1"},
		{name: "integer normalization 00", raw: "00", want: "0"},
		{name: "integer normalization 09000", raw: "09000", want: "9000"},
		{name: "integer normalization keeps alphanumeric local", raw: "1.0+foo0100", want: "1.0+foo0100"},
		{name: "pre-release separator dot", raw: "1.1.a1", want: "1.1a1"},
		{name: "pre-release separator hyphen", raw: "1.1-a1", want: "1.1a1"},
		{name: "pre-release separator underscore", raw: "1.1_a1", want: "1.1a1"},
		{name: "pre-release separator before number", raw: "1.0a.1", want: "1.0a1"},
		{name: "pre-release spelling alpha", raw: "1.1alpha1", want: "1.1a1"},
		{name: "pre-release spelling beta", raw: "1.1beta2", want: "1.1b2"},
		{name: "pre-release spelling c", raw: "1.1c3", want: "1.1rc3"},
		{name: "pre-release spelling pre", raw: "1.1pre3", want: "1.1rc3"},
		{name: "pre-release spelling preview", raw: "1.1preview3", want: "1.1rc3"},
		{name: "implicit pre-release number", raw: "1.2a", want: "1.2a0"},
		{name: "post release separator hyphen", raw: "1.0-post1", want: "1.0.post1"},
		{name: "post release no separator", raw: "1.0post1", want: "1.0.post1"},
		{name: "post release separator before number", raw: "1.0.post.1", want: "1.0.post1"},
		{name: "post release spelling r", raw: "1.0-r4", want: "1.0.post4"},
		{name: "post release spelling rev", raw: "1.0-rev4", want: "1.0.post4"},
		{name: "implicit post release number", raw: "1.2.post", want: "1.2.post0"},
		{name: "implicit post release", raw: "1.0-1", want: "1.0.post1"},
		{name: "development release separator hyphen", raw: "1.2-dev2", want: "1.2.dev2"},
		{name: "development release no separator", raw: "1.2dev2", want: "1.2.dev2"},
		{name: "implicit development release number", raw: "1.2.dev", want: "1.2.dev0"},
		{name: "local version segments", raw: "1.0+ubuntu-1", want: "1.0+ubuntu.1"},
		{name: "local version underscore", raw: "1.0+ubuntu_1", want: "1.0+ubuntu.1"},
		{name: "preceding v", raw: "v1.0", want: "1.0"},
		{name: "preceding capital V", raw: "V1.0", want: "1.0"},
		{name: "leading and trailing whitespace", raw: " \t1.0\r\n", want: "1.0"},
		// Forms shipkit meets, and combinations.
		{name: "semver-style release candidate", raw: "1.0.0-rc.1", want: "1.0.0rc1"},
		{name: "semver-style alpha", raw: "1.0-alpha1", want: "1.0a1"},
		{name: "implicit post release number after dot", raw: "1.0.post", want: "1.0.post0"},
		{name: "epoch", raw: "1!2.0", want: "1!2.0"},
		{name: "zero epoch dropped", raw: "0!2.0", want: "2.0"},
		{name: "epoch leading zeros", raw: "007!2.0", want: "7!2.0"},
		{name: "local with dots", raw: "1.0+ubuntu.1", want: "1.0+ubuntu.1"},
		{name: "local upper case", raw: "1.0+UBUNTU.1", want: "1.0+ubuntu.1"},
		{name: "local numeric leading zeros", raw: "1.0+007", want: "1.0+7"},
		{name: "all parts", raw: " V1!2.0.3-RC_4-post.5.DEV-6+Local-007 ", want: "1!2.0.3rc4.post5.dev6+local.7"},
		{name: "pre-release then implicit post", raw: "1.0rc1-1", want: "1.0rc1.post1"},
		{name: "separator after label without number", raw: "1.0a-", want: "1.0a0"},
		{name: "dev after post", raw: "1.0.post1.dev2", want: "1.0.post1.dev2"},
		{name: "huge numbers", raw: "123456789012345678901234567890.0a99999999999999999999", want: "123456789012345678901234567890.0a99999999999999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := ParsePEP440(tt.raw)
			if err != nil {
				t.Fatalf("ParsePEP440(%q) error = %v, want nil", tt.raw, err)
			}
			if got := v.String(); got != tt.want {
				t.Errorf("ParsePEP440(%q).String() = %q, want %q", tt.raw, got, tt.want)
			}
			if got := v.Scheme(); got != PEP440 {
				t.Errorf("ParsePEP440(%q).Scheme() = %q, want %q", tt.raw, got, PEP440)
			}
			if ref, _ := referenceNormalise(tt.raw); ref != tt.want {
				t.Errorf("referenceNormalise(%q) = %q, want %q: the test case or the reference is wrong", tt.raw, ref, tt.want)
			}
		})
	}
}

func TestParsePEP440Invalid(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, raw, reason string }{
		{name: "empty", raw: "", reason: "version is empty"},
		{name: "whitespace only", raw: " \t ", reason: "version is empty"},
		{name: "letters", raw: "latest", reason: `unexpected "latest"; a version starts with a release number`},
		{name: "v only", raw: "v", reason: `"v" ends too early; a version starts with a release number`},
		{name: "unknown suffix", raw: "1.0.x", reason: `unexpected ".x" after "1.0"`},
		{name: "trailing dot", raw: "1.0.", reason: `unexpected "." after "1.0"`},
		{name: "trailing hyphen", raw: "1.0-", reason: `unexpected "-" after "1.0"`},
		{name: "implicit post needs a hyphen", raw: "1.0_1", reason: `unexpected "_1" after "1.0"`},
		{name: "pre-release number then hyphen", raw: "1.0a1-", reason: `unexpected "-" after "1.0a1"`},
		{name: "two pre-releases", raw: "1.0a1b2", reason: `unexpected "b2" after "1.0a1"`},
		{name: "dev before pre", raw: "1.0.dev1a1", reason: `unexpected "a1" after "1.0.dev1"`},
		{name: "dev before post", raw: "1.0.dev1.post1", reason: `unexpected ".post1" after "1.0.dev1"`},
		{name: "epoch without release", raw: "1!", reason: "an epoch (N!) must be followed by a release number"},
		{name: "two epochs", raw: "1!2!3", reason: `unexpected "!3" after "1!2"`},
		{name: "empty local", raw: "1.0+", reason: "a local version label is letters and digits"},
		{name: "local starts with separator", raw: "1.0+.abc", reason: "a local version label is letters and digits"},
		{name: "local ends with separator", raw: "1.0+abc.", reason: `unexpected "." after "1.0+abc"`},
		{name: "local with two separators", raw: "1.0+abc..def", reason: `unexpected "..def" after "1.0+abc"`},
		{name: "two locals", raw: "1.0+abc+def", reason: `unexpected "+def" after "1.0+abc"`},
		{name: "space inside", raw: "1.0 a1", reason: `unexpected " a1" after "1.0"`},
		{name: "leading dot", raw: ".1.0", reason: "a version starts with a release number"},
		{name: "semver build metadata shape is not a pre-release", raw: "1.0.0-rc.1.2", reason: `unexpected ".2" after "1.0.0-rc.1"`},
		{name: "non-ASCII", raw: "1.0ａ1", reason: `'ａ' is not an ASCII character`},
		{name: "non-ASCII whitespace", raw: "1.0\u00a0", reason: `'\u00a0' is not an ASCII character`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := ParsePEP440(tt.raw)
			if err == nil {
				t.Fatalf("ParsePEP440(%q) = %v, want an error", tt.raw, v)
			}
			if v != nil {
				t.Errorf("ParsePEP440(%q) returned version %#v with its error, want nil", tt.raw, v)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParsePEP440(%q) error = %T, want *ParseError", tt.raw, err)
			}
			if pe.Scheme != PEP440 || pe.Value != tt.raw {
				t.Errorf("ParsePEP440(%q) error = {Scheme: %q, Value: %q}, want {%q, %q}", tt.raw, pe.Scheme, pe.Value, PEP440, tt.raw)
			}
			if !strings.Contains(pe.Reason, tt.reason) {
				t.Errorf("ParsePEP440(%q) reason = %q, want it to contain %q", tt.raw, pe.Reason, tt.reason)
			}
			if _, ok := referenceNormalise(tt.raw); ok && utf8.ValidString(tt.raw) && isASCII(tt.raw) {
				t.Errorf("PEP 440's Appendix B regexp accepts %q, the test case is wrong", tt.raw)
			}
		})
	}
}

func TestPEP440Ordering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		chain []string // ascending
	}{
		// PEP 440 "Summary of permitted suffixes and relative ordering".
		{name: "spec summary", chain: []string{
			"1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12",
			"1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345",
			"1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5",
			"1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1",
		}},
		// PEP 440 "Final releases" and "Version epochs".
		{name: "spec final releases", chain: []string{"0.9", "0.9.1", "0.9.2", "0.9.10", "0.9.11", "1.0", "1.0.1", "1.1", "2.0", "2.0.1"}},
		{name: "spec date-based", chain: []string{"1.0", "1.1", "2.0", "2013.10", "2014.04"}},
		{name: "spec epochs", chain: []string{"2013.10", "2014.04", "1!1.0", "1!1.1", "1!2.0"}},
		{name: "the order shipkit relies on", chain: []string{"1.0.dev0", "1.0a1", "1.0b1", "1.0rc1", "1.0", "1.0.post1"}},
		{name: "dev of a post-release", chain: []string{"1.0", "1.0.post1.dev0", "1.0.post1", "1.0.post2.dev0"}},
		{name: "local labels", chain: []string{"1.0", "1.0+a", "1.0+a.b", "1.0+a.1", "1.0+b", "1.0+1", "1.0+1.a", "1.0+2", "1.0+10"}},
		{name: "numbers compare as integers", chain: []string{"1.9", "1.10", "1.99999999999999999999", "1.100000000000000000000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkAscending(t, PEP440, tt.chain)
		})
	}
}

func TestPEP440Equal(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, a, b string }{
		{name: "implicit zero padding", a: "1.0", b: "1.0.0"},
		{name: "longer padding", a: "1", b: "1.0.0.0"},
		{name: "padding with suffixes", a: "1.0rc1.post2.dev3", b: "1.0.0rc1.post2.dev3"},
		{name: "zero epoch", a: "0!1.0", b: "1.0"},
		{name: "implicit pre-release number", a: "1.0a", b: "1.0a0"},
		{name: "spelling", a: "1.0-preview-2", b: "1.0rc2"},
		{name: "implicit post release", a: "1.0-1", b: "1.0.post1"},
		{name: "local separators", a: "1.0+ubuntu-1", b: "1.0+ubuntu.1"},
		{name: "local numeric zeros", a: "1.0+007", b: "1.0+7"},
		{name: "local case", a: "1.0+ABC", b: "1.0+abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b := MustParse(PEP440, tt.a), MustParse(PEP440, tt.b)
			if got := a.Compare(b); got != 0 {
				t.Errorf("%q.Compare(%q) = %d, want 0", tt.a, tt.b, got)
			}
			if got := b.Compare(a); got != 0 {
				t.Errorf("%q.Compare(%q) = %d, want 0", tt.b, tt.a, got)
			}
		})
	}
}

func TestPEP440Kinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw            string
		pre, dev, post bool
	}{
		{raw: "1.0"},
		{raw: "1.0a1", pre: true},
		{raw: "1.0b2", pre: true},
		{raw: "1.0rc1", pre: true},
		{raw: "1.0c1", pre: true},
		{raw: "1.0.dev0", pre: true, dev: true},
		{raw: "1.0a1.dev0", pre: true, dev: true},
		{raw: "1.0.post1", post: true},
		{raw: "1.0-1", post: true},
		{raw: "1.0.post1.dev0", pre: true, dev: true, post: true},
		{raw: "1.0rc1.post1", pre: true, post: true},
		{raw: "1.0+local.1"},
		{raw: "1!2.0"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			v := MustParse(PEP440, tt.raw)
			if got := v.IsPrerelease(); got != tt.pre {
				t.Errorf("ParsePEP440(%q).IsPrerelease() = %v, want %v", tt.raw, got, tt.pre)
			}
			if got := v.IsDevRelease(); got != tt.dev {
				t.Errorf("ParsePEP440(%q).IsDevRelease() = %v, want %v", tt.raw, got, tt.dev)
			}
			if got := v.IsPostRelease(); got != tt.post {
				t.Errorf("ParsePEP440(%q).IsPostRelease() = %v, want %v", tt.raw, got, tt.post)
			}
		})
	}
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func FuzzParsePEP440(f *testing.F) {
	for _, seed := range [][2]string{
		{"1.0", "1.0.0"},
		{"1.0.dev0", "1.0a1"},
		{"1.0b1", "1.0rc1"},
		{"1.0", "1.0.post1"},
		{"1.0.0-rc.1", "1.0-alpha1"},
		{"v1.0", "1.0-1"},
		{"1!2.0", "2014.04"},
		{"1.0+ubuntu-1", "1.0+ubuntu.1"},
		{"1.0+abc.5", "1.0+5"},
		{"1.0C1", "1.0preview2"},
		{" V1!2.0.3-RC_4-post.5.DEV-6+Local-007 ", "1.0a-"},
		{"1.0.x", "1.0+"},
		{"1.0_1", "1!"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		va, err := ParsePEP440(a)
		ref, refOK := "", err == nil
		if len(a) <= oracleMaxLen {
			ref, refOK = referenceNormalise(a)
			refOK = refOK && isASCII(a)
			if (err == nil) != refOK {
				t.Fatalf("ParsePEP440(%q) error = %v, but PEP 440's Appendix B regexp match = %v", a, err, refOK)
			}
		}
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Value != a || pe.Reason == "" {
				t.Fatalf("ParsePEP440(%q) error = %#v, want a *ParseError naming the value and a reason", a, err)
			}
			return
		}
		s := va.String()
		if len(a) <= oracleMaxLen && s != ref {
			t.Errorf("ParsePEP440(%q).String() = %q, want %q (from Appendix B's regexp)", a, s, ref)
		}
		if !pep440Canonical.MatchString(s) {
			t.Errorf("ParsePEP440(%q).String() = %q, not in the normal form", a, s)
		}
		again, err := ParsePEP440(s)
		if err != nil {
			t.Fatalf("ParsePEP440(%q) (from %q) error = %v", s, a, err)
		}
		if again.String() != s || again.Compare(va) != 0 || va.Compare(again) != 0 {
			t.Errorf("ParsePEP440(%q) does not round-trip through %q", a, s)
		}
		if again.IsPrerelease() != va.IsPrerelease() || again.IsDevRelease() != va.IsDevRelease() || again.IsPostRelease() != va.IsPostRelease() {
			t.Errorf("ParsePEP440(%q) and ParsePEP440(%q) differ in kind", a, s)
		}
		vb, err := ParsePEP440(b)
		if err != nil {
			return
		}
		ab, ba := va.Compare(vb), vb.Compare(va)
		if ab != -ba || ab < -1 || ab > 1 {
			t.Errorf("Compare is not antisymmetric: %q vs %q = %d, reverse = %d", a, b, ab, ba)
		}
		if va.String() == vb.String() && ab != 0 {
			t.Errorf("%q.Compare(%q) = %d, want 0 for the same normal form", a, b, ab)
		}
	})
}
