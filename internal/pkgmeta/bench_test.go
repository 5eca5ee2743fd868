package pkgmeta

import (
	"fmt"
	"strings"
	"testing"
)

// benchPyprojects returns n pyproject.toml files in the shapes seen in practice: PEP 621 with
// dependencies and tool sections, Poetry, and dynamic versions, 1 to 6 KB each.
func benchPyprojects(n int) map[string][]byte {
	files := make(map[string][]byte, n)
	for i := range n {
		var b strings.Builder
		fmt.Fprintf(&b, "[build-system]\nrequires = [\"hatchling>=1.%d\"]\nbuild-backend = \"hatchling.build\"\n\n", i)
		switch i % 3 {
		case 0, 1:
			fmt.Fprintf(&b, "[project]\nname = \"pkg-%d\"\nversion = \"1.%d.0\"\n", i, i)
		case 2:
			fmt.Fprintf(&b, "[project]\nname = \"pkg-%d\"\ndynamic = [\"version\"]\n", i)
		}
		b.WriteString("description = \"\"\"\nA package with a long description.\nversion = \"0\" here is text.\n\"\"\"\n")
		b.WriteString("requires-python = \">=3.11\"\nclassifiers = [\n")
		for j := range 5 + i%20 {
			fmt.Fprintf(&b, "  \"Programming Language :: Python :: 3.%d\",\n", j)
		}
		b.WriteString("]\ndependencies = [\n")
		for j := range 10 + i%30 {
			fmt.Fprintf(&b, "  \"dep%d>=%d.0\",  # pinned for reasons\n", j, j)
		}
		b.WriteString("]\n\n[project.urls]\nHomepage = \"https://example.invalid\"\n\n")
		b.WriteString("[tool.ruff]\nline-length = 100\n\n[tool.ruff.lint]\nselect = [\"E\", \"F\", \"I\"]\n\n")
		b.WriteString("[tool.pytest.ini_options]\naddopts = \"-q\"\ntestpaths = [\"tests\"]\n")
		files[fmt.Sprintf("packages/pkg%d/pyproject.toml", i)] = []byte(b.String())
	}
	return files
}

// BenchmarkParsePyproject50 parses 50 pyproject.toml files per iteration, what a monorepo's
// version-bump-detect run reads at head.
func BenchmarkParsePyproject50(b *testing.B) {
	files := benchPyprojects(50)
	size := 0
	for _, d := range files {
		size += len(d)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for p, d := range files {
			if _, err := Parse(p, d, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
}
