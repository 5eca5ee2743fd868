package version_test

import (
	"fmt"
	"slices"

	"github.com/shipkit-dev/shipkit/internal/version"
)

func ExampleParseSemVer() {
	v, err := version.ParseSemVer("v1.0.0-rc.1+build.5")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v, v.IsPrerelease())

	_, err = version.ParseSemVer("1.2")
	fmt.Println(err)
	// Output:
	// 1.0.0-rc.1+build.5 true
	// invalid SemVer version "1.2": version core "1.2" has 2 dot-separated numbers, want 3 (MAJOR.MINOR.PATCH such as 1.2.3)
}

func ExampleParsePEP440() {
	for _, raw := range []string{"1.0.0-rc.1", "1.0-alpha1", "1.0.post", "v1.0", "1.0-1", "1.0c1", "1!2.0+Ubuntu-1"} {
		v, err := version.ParsePEP440(raw)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s -> %s\n", raw, v)
	}
	_, err := version.ParsePEP440("1.0.x")
	fmt.Println(err)
	// Output:
	// 1.0.0-rc.1 -> 1.0.0rc1
	// 1.0-alpha1 -> 1.0a1
	// 1.0.post -> 1.0.post0
	// v1.0 -> 1.0
	// 1.0-1 -> 1.0.post1
	// 1.0c1 -> 1.0rc1
	// 1!2.0+Ubuntu-1 -> 1!2.0+ubuntu.1
	// invalid PEP 440 version "1.0.x": unexpected ".x" after "1.0"; want [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local] such as 1.0rc1, 1.0.post1, 1.0.dev1 or 1.0+local.1
}

func ExampleVersion_Compare() {
	var vs []version.Version
	for _, raw := range []string{"1.0.post1", "1.0", "1.0rc1", "1.0.dev0", "1.0b1", "1.0a1"} {
		vs = append(vs, version.MustParse(version.PEP440, raw))
	}
	slices.SortFunc(vs, version.Version.Compare)
	fmt.Println(vs)

	a, b := version.MustParse(version.PEP440, "1.0"), version.MustParse(version.PEP440, "1.0.0")
	fmt.Println(a.Compare(b))
	// Output:
	// [1.0.dev0 1.0a1 1.0b1 1.0rc1 1.0 1.0.post1]
	// 0
}

func ExampleVersion_IsPrerelease() {
	for _, raw := range []string{"2.1.0", "2.1.0rc1", "2.1.0.dev3", "2.1.0.post1"} {
		v := version.MustParse(version.PEP440, raw)
		fmt.Printf("%s stable=%t dev=%t post=%t\n", v, !v.IsPrerelease(), v.IsDevRelease(), v.IsPostRelease())
	}
	// Output:
	// 2.1.0 stable=true dev=false post=false
	// 2.1.0rc1 stable=false dev=false post=false
	// 2.1.0.dev3 stable=false dev=true post=false
	// 2.1.0.post1 stable=true dev=false post=true
}

func ExampleParseScheme() {
	s, err := version.ParseScheme("PEP440")
	fmt.Println(s, err)
	_, err = version.ParseScheme("calver")
	fmt.Println(err)
	// Output:
	// pep440 <nil>
	// unknown version scheme "calver": use one of "semver", "pep440"
}
