package versionbump

import "testing"

func TestMatchGlob(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"packages/*/pyproject.toml", "packages/acme-lib/pyproject.toml", true},
		{"packages/*/pyproject.toml", "packages/a/b/pyproject.toml", false},
		{"**/pyproject.toml", "pyproject.toml", true},
		{"**/pyproject.toml", "packages/a/b/pyproject.toml", true},
		{"packages/**/Cargo.toml", "packages/Cargo.toml", true},
		{"charts/*/Chart.yaml", "charts/x/values.yaml", false},
	}
	for _, tt := range tests {
		if got := matchGlob(tt.pattern, tt.name); got != tt.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}
