package imagebuild

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestSBOMDescribesImageAndModules(t *testing.T) {
	c := Compiler{Root: moduleRoot(t)}
	bin, err := c.Compile(t.Context(), helloPkg, Platform{OS: "linux", Arch: "amd64"}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	digest := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}
	subject := SBOMSubject{Repository: "ghcr.io/shipkit-dev/shipkit/hello", Digest: digest, Version: "v1.2.3", Binary: bin}
	data, err := SBOM(subject)
	if err != nil {
		t.Fatal(err)
	}
	again, err := SBOM(subject)
	if err != nil || !bytes.Equal(data, again) {
		t.Fatalf("a second SBOM of the same subject differs (%v)", err)
	}
	var doc SPDX
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SPDXVersion != "SPDX-2.3" || doc.CreationInfo.Created != "1970-01-01T00:00:00Z" {
		t.Errorf("version %q created %q", doc.SPDXVersion, doc.CreationInfo.Created)
	}
	byID := map[string]SPDXPackage{}
	for _, p := range doc.Packages {
		byID[p.SPDXID] = p
	}
	img := byID["SPDXRef-Image"]
	if img.Checksums[0].Value != digest.Hex || !strings.HasPrefix(img.ExternalRefs[0].Locator, "pkg:oci/hello@sha256%3A"+digest.Hex) {
		t.Errorf("image package %+v", img)
	}
	std := byID["SPDXRef-Module-stdlib"]
	if std.VersionInfo != strings.TrimPrefix(runtime.Version(), "go") {
		t.Errorf("stdlib version %q, want %s", std.VersionInfo, runtime.Version())
	}
	if main := byID["SPDXRef-Module-github.com-shipkit-dev-shipkit"]; main.Name != "github.com/shipkit-dev/shipkit" || main.VersionInfo != "v1.2.3" {
		t.Errorf("main module %+v", main)
	}
	describes := 0
	for _, r := range doc.Relationships {
		if r.Type == "DESCRIBES" && r.Element == "SPDXRef-DOCUMENT" && r.Related == "SPDXRef-Image" {
			describes++
		}
		if byID[r.Related].SPDXID == "" && r.Related != "SPDXRef-Image" {
			t.Errorf("relationship to unknown element %s", r.Related)
		}
	}
	if describes != 1 {
		t.Errorf("%d DESCRIBES relationships, want 1", describes)
	}
}

func TestSBOMOfNonGoFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := SBOM(SBOMSubject{Repository: "r/x", Binary: p})
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("err = %v, want one naming %s", err, p)
	}
}
