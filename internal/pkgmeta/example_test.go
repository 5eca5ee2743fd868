package pkgmeta_test

import (
	"fmt"

	"github.com/shipkit-dev/shipkit/internal/pkgmeta"
)

func ExampleParse() {
	data := []byte("[project]\nname = \"acme\"\nversion = \"1.4.0\"\n")
	m, err := pkgmeta.Parse("packages/acme/pyproject.toml", data, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %s (%s) at %s:%d\n", m.Name, m.Version, m.Ecosystem, m.VersionPath, m.Line)
	// Output: acme 1.4.0 (python) at packages/acme/pyproject.toml:3
}

func ExampleParse_cargoWorkspace() {
	files := map[string]string{
		"Cargo.toml":             "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"0.7.0\"\n",
		"crates/core/Cargo.toml": "[package]\nname = \"core\"\nversion.workspace = true\n",
	}
	read := func(p string) ([]byte, error) { return []byte(files[p]), nil }
	m, err := pkgmeta.Parse("crates/core/Cargo.toml", []byte(files["crates/core/Cargo.toml"]), read)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %s at %s:%d\n", m.Name, m.Version, m.VersionPath, m.Line)
	// Output: core 0.7.0 at Cargo.toml:5
}

func ExampleParse_dynamic() {
	data := []byte("[project]\nname = \"lib\"\ndynamic = [\"version\"]\n")
	m, _ := pkgmeta.Parse("pyproject.toml", data, nil)
	fmt.Println(m.Dynamic, m.DynamicReason)
	// Output: true [project].dynamic lists "version": the version comes from the build backend
}

func ExampleSupportedNames() {
	fmt.Println(pkgmeta.SupportedNames())
	// Output: [pyproject.toml package.json Cargo.toml Chart.yaml setup.cfg VERSION]
}
