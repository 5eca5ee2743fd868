package version

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		scheme  Scheme
		raw     string
		want    string
		wantErr string
	}{
		{name: "semver", scheme: SemVer, raw: "v1.2.3-rc.1", want: "1.2.3-rc.1"},
		{name: "pep440", scheme: PEP440, raw: "v1.2.3-rc.1", want: "1.2.3rc1"},
		{name: "semver rejects a PEP 440 form", scheme: SemVer, raw: "1.2.3rc1",
			wantErr: `invalid SemVer version "1.2.3rc1": patch version "3rc1" must be a non-negative integer`},
		{name: "pep440 rejects a word", scheme: PEP440, raw: "1.0.x",
			wantErr: `invalid PEP 440 version "1.0.x": unexpected ".x" after "1.0"; want [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local] such as 1.0rc1, 1.0.post1, 1.0.dev1 or 1.0+local.1`},
		{name: "unknown scheme", scheme: "calver", raw: "2024.01",
			wantErr: `parsing version "2024.01": unknown version scheme "calver": use one of "semver", "pep440"`},
		{name: "empty scheme", scheme: "", raw: "1.0.0",
			wantErr: `parsing version "1.0.0": unknown version scheme "": use one of "semver", "pep440"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := Parse(tt.scheme, tt.raw)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Parse(%q, %q) error = %v, want %s", tt.scheme, tt.raw, err, tt.wantErr)
				}
				if v != nil {
					t.Errorf("Parse(%q, %q) = %v with an error, want nil", tt.scheme, tt.raw, v)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q, %q) error = %v, want nil", tt.scheme, tt.raw, err)
			}
			if got := v.String(); got != tt.want {
				t.Errorf("Parse(%q, %q).String() = %q, want %q", tt.scheme, tt.raw, got, tt.want)
			}
			if got := v.Scheme(); got != tt.scheme {
				t.Errorf("Parse(%q, %q).Scheme() = %q, want %q", tt.scheme, tt.raw, got, tt.scheme)
			}
		})
	}
}

func TestParseScheme(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     Scheme
		wantErr  string
	}{
		{name: "semver", in: "semver", want: SemVer},
		{name: "pep440", in: "pep440", want: PEP440},
		{name: "case and spaces", in: " PEP440\n", want: PEP440},
		{name: "unknown", in: "pep-440", wantErr: `unknown version scheme "pep-440": use one of "semver", "pep440"`},
		{name: "empty", in: "", wantErr: `unknown version scheme "": use one of "semver", "pep440"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseScheme(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseScheme(%q) error = %v, want %s", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseScheme(%q) = %q, %v, want %q, nil", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseErrorAs(t *testing.T) {
	t.Parallel()
	_, err := Parse(PEP440, "1.0.x")
	wrapped := fmt.Errorf("reading packages/lib/pyproject.toml: %w", err)
	var pe *ParseError
	if !errors.As(wrapped, &pe) {
		t.Fatalf("errors.As(%v, *ParseError) = false, want true", wrapped)
	}
	if pe.Scheme != PEP440 || pe.Value != "1.0.x" || pe.Reason == "" {
		t.Errorf("ParseError = %+v, want Scheme %q, Value %q and a reason", *pe, PEP440, "1.0.x")
	}
}

func TestCompareAcrossSchemesPanics(t *testing.T) {
	t.Parallel()
	sv, pv := MustParse(SemVer, "1.0.0"), MustParse(PEP440, "1.0.0")
	tests := []struct {
		name        string
		v, other    Version
		wantMessage string
	}{
		{name: "semver with pep440", v: sv, other: pv,
			wantMessage: `version: comparing SemVer version "1.0.0" with PEP 440 version "1.0.0"`},
		{name: "pep440 with semver", v: pv, other: sv,
			wantMessage: `version: comparing PEP 440 version "1.0.0" with SemVer version "1.0.0"`},
		{name: "semver with nil", v: sv, other: nil,
			wantMessage: `version: comparing SemVer version "1.0.0" with nil`},
		{name: "pep440 with nil", v: pv, other: nil,
			wantMessage: `version: comparing PEP 440 version "1.0.0" with nil`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				r := recover()
				if got, _ := r.(string); got != tt.wantMessage {
					t.Errorf("%v.Compare(%v) panicked with %#v, want %q", tt.v, tt.other, r, tt.wantMessage)
				}
			}()
			got := tt.v.Compare(tt.other)
			t.Errorf("%v.Compare(%v) = %d, want a panic", tt.v, tt.other, got)
		})
	}
}

func TestMustParsePanics(t *testing.T) {
	t.Parallel()
	defer func() {
		err, _ := recover().(error)
		if err == nil || !strings.Contains(err.Error(), `invalid SemVer version "1.2"`) {
			t.Errorf("MustParse(SemVer, %q) panicked with %v, want the parse error", "1.2", err)
		}
	}()
	MustParse(SemVer, "1.2")
}

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct {
		scheme Scheme
		raw    string
	}{
		{SemVer, "1.2.3"},
		{SemVer, "v1.0.0-rc.1+build.5"},
		{PEP440, "1.2.3"},
		{PEP440, " V1!2.0.3-RC_4-post.5.DEV-6+Local-007 "},
	} {
		b.Run(string(bc.scheme)+"/"+strings.TrimSpace(bc.raw), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(bc.scheme, bc.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCompare(b *testing.B) {
	for _, bc := range []struct {
		scheme Scheme
		x, y   string
	}{
		{SemVer, "1.0.0-beta.11", "1.0.0-beta.2"},
		{PEP440, "1.0b2.post345.dev456", "1.0b2.post345"},
	} {
		x, y := MustParse(bc.scheme, bc.x), MustParse(bc.scheme, bc.y)
		b.Run(string(bc.scheme), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				x.Compare(y)
			}
		})
	}
}
