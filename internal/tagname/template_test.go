package tagname

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, template, wantErr string
		pkg, dir, version       string
		want, prefix            string
	}{
		{name: "default", template: "v{version}", version: "1.2.3", want: "v1.2.3", prefix: "v"},
		{name: "reference pipeline", template: "{name}-v{version}", pkg: "acme-lib", version: "0.4.0rc1", want: "acme-lib-v0.4.0rc1", prefix: "acme-lib-v"},
		{name: "dir and suffix", template: "{dir}/v{version}-final", dir: "lib", version: "2.0.0", want: "lib/v2.0.0-final", prefix: "lib/v"},
		{name: "unknown placeholder", template: "{pkg}-v{version}", wantErr: "unknown placeholder {pkg}; available placeholders are {name}, {version}, {dir}"},
		{name: "no version", template: "{name}-latest", wantErr: "must contain {version} exactly once (found 0)"},
		{name: "version twice", template: "{version}-{version}", wantErr: "exactly once (found 2)"},
		{name: "unclosed", template: "v{version", wantErr: "is not closed by }"},
		{name: "stray close", template: "v}{version}", wantErr: "a } without its {"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmpl, err := Parse(tt.template)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) error = %v, want one containing %q", tt.template, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) = %v", tt.template, err)
			}
			if got := tmpl.Render(tt.pkg, tt.dir, tt.version); got != tt.want {
				t.Errorf("Render = %q, want %q", got, tt.want)
			}
			if got := tmpl.Prefix(tt.pkg, tt.dir); got != tt.prefix {
				t.Errorf("Prefix = %q, want %q", got, tt.prefix)
			}
			v, ok := tmpl.Match(tt.want, tt.pkg, tt.dir)
			if !ok || v != tt.version {
				t.Errorf("Match(%q) = %q, %v, want %q, true", tt.want, v, ok, tt.version)
			}
			if _, ok := tmpl.Match(tt.prefix, tt.pkg, tt.dir); ok {
				t.Errorf("Match(%q) matched a tag with no version", tt.prefix)
			}
		})
	}
}

func TestMatchOtherPackage(t *testing.T) {
	t.Parallel()
	tmpl, err := Parse("{name}-v{version}")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := tmpl.Match("acme-lib-extra-v1.0.0", "acme-lib", ""); ok {
		// The prefix matches, so the version part is "extra-v1.0.0"; the caller's version parse rejects it.
		if v != "extra-v1.0.0" {
			t.Errorf("Match = %q", v)
		}
	}
	if _, ok := tmpl.Match("acme-app-v1.0.0", "acme-lib", ""); ok {
		t.Error("Match(acme-app-v1.0.0) for acme-lib = true, want false")
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tag := range []string{"v1.0.0", "acme-lib-v0.4.0rc1", "@acme/lib-v1.0.0", "lib/v2"} {
		if err := Check(tag); err != nil {
			t.Errorf("Check(%q) = %v, want nil", tag, err)
		}
	}
	for _, tag := range []string{"", "@", "a..b", "a b", "a:b", "a~1", "x.lock", "x/", "-x", "a//b", "a/.b", "a@{1}", "a\x01"} {
		if err := Check(tag); err == nil {
			t.Errorf("Check(%q) = nil, want an error", tag)
		}
	}
}

func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"v{version}", "{name}-v{version}", "{dir}/{version}", "{x}", "{", "}", "{version}{version}"} {
		f.Add(s, "pkg", "1.0.0")
	}
	f.Fuzz(func(t *testing.T, template, name, version string) {
		tmpl, err := Parse(template)
		if err != nil {
			return
		}
		if version == "" {
			return
		}
		tag := tmpl.Render(name, name, version)
		got, ok := tmpl.Match(tag, name, name)
		if !ok || got != version {
			t.Fatalf("Match(Render(%q)) = %q, %v, want %q", version, got, ok, version)
		}
	})
}
