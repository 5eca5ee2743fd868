package imagebuild

import (
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// SPDX is an SPDX 2.3 document, the fields an SBOM of a Go image needs.
type SPDX struct {
	SPDXVersion       string             `json:"spdxVersion"`
	DataLicense       string             `json:"dataLicense"`
	SPDXID            string             `json:"SPDXID"`
	Name              string             `json:"name"`
	DocumentNamespace string             `json:"documentNamespace"`
	CreationInfo      SPDXCreationInfo   `json:"creationInfo"`
	Packages          []SPDXPackage      `json:"packages"`
	Relationships     []SPDXRelationship `json:"relationships"`
}

// SPDXCreationInfo says who made the document and when.
type SPDXCreationInfo struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
}

// SPDXPackage is one package: the image, the action's module, the Go standard library or a
// module it depends on.
type SPDXPackage struct {
	SPDXID           string            `json:"SPDXID"`
	Name             string            `json:"name"`
	VersionInfo      string            `json:"versionInfo,omitempty"`
	DownloadLocation string            `json:"downloadLocation"`
	FilesAnalyzed    bool              `json:"filesAnalyzed"`
	PrimaryPurpose   string            `json:"primaryPackagePurpose,omitempty"`
	Checksums        []SPDXChecksum    `json:"checksums,omitempty"`
	ExternalRefs     []SPDXExternalRef `json:"externalRefs,omitempty"`
}

// SPDXChecksum is a package's digest.
type SPDXChecksum struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"checksumValue"`
}

// SPDXExternalRef is a package URL.
type SPDXExternalRef struct {
	Category string `json:"referenceCategory"`
	Type     string `json:"referenceType"`
	Locator  string `json:"referenceLocator"`
}

// SPDXRelationship links two elements.
type SPDXRelationship struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

// SBOMSubject is the image an SBOM describes.
type SBOMSubject struct {
	Repository string  // such as ghcr.io/shipkit-dev/shipkit/sha-tag-image
	Digest     v1.Hash // the index digest
	Version    string  // the release, such as v1.2.3
	Binary     string  // a path of the action's binary (its Go build information is read)
	Created    time.Time
}

var spdxIDUnsafe = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// SBOM writes the SPDX 2.3 document of an action's image from its binary's Go build
// information: the image, the action's main module, the Go standard library and every module
// linked in, with package URLs. The same binary and subject give the same bytes.
func SBOM(s SBOMSubject) ([]byte, error) {
	info, err := buildinfo.ReadFile(s.Binary)
	if err != nil {
		return nil, fmt.Errorf("reading the Go build information of %s: %w", s.Binary, err)
	}
	created := s.Created
	if created.IsZero() {
		created = epoch
	}
	short := s.Repository[strings.LastIndex(s.Repository, "/")+1:]
	doc := SPDX{
		SPDXVersion:       "SPDX-2.3",
		DataLicense:       "CC0-1.0",
		SPDXID:            "SPDXRef-DOCUMENT",
		Name:              s.Repository + "@" + s.Digest.String(),
		DocumentNamespace: DefaultSource + "/spdx/" + short + "/" + s.Digest.Hex,
		CreationInfo: SPDXCreationInfo{
			Created:  created.UTC().Format(time.RFC3339),
			Creators: []string{"Tool: shipkit-imagebuild", "Organization: shipkit"},
		},
	}
	imageID := "SPDXRef-Image"
	doc.Packages = append(doc.Packages, SPDXPackage{
		SPDXID: imageID, Name: s.Repository, VersionInfo: s.Version,
		DownloadLocation: "NOASSERTION", PrimaryPurpose: "CONTAINER",
		Checksums:    []SPDXChecksum{{Algorithm: "SHA256", Value: s.Digest.Hex}},
		ExternalRefs: []SPDXExternalRef{purl(ociPURL(s.Repository, s.Digest, s.Version))},
	})
	doc.Relationships = append(doc.Relationships, SPDXRelationship{Element: "SPDXRef-DOCUMENT", Type: "DESCRIBES", Related: imageID})

	mainID := "SPDXRef-Module-" + spdxIDUnsafe.ReplaceAllString(info.Main.Path, "-")
	doc.Packages = append(doc.Packages, SPDXPackage{
		SPDXID: mainID, Name: info.Main.Path, VersionInfo: s.Version,
		DownloadLocation: DefaultSource, PrimaryPurpose: "APPLICATION",
		ExternalRefs: []SPDXExternalRef{purl(goPURL(info.Main.Path, s.Version))},
	})
	doc.Relationships = append(doc.Relationships, SPDXRelationship{Element: imageID, Type: "CONTAINS", Related: mainID})

	goVersion := strings.TrimPrefix(info.GoVersion, "go")
	stdID := "SPDXRef-Module-stdlib"
	doc.Packages = append(doc.Packages, SPDXPackage{
		SPDXID: stdID, Name: "stdlib", VersionInfo: goVersion,
		DownloadLocation: "NOASSERTION", PrimaryPurpose: "LIBRARY",
		ExternalRefs: []SPDXExternalRef{purl(goPURL("stdlib", goVersion))},
	})
	doc.Relationships = append(doc.Relationships, SPDXRelationship{Element: mainID, Type: "DEPENDS_ON", Related: stdID})
	for _, dep := range info.Deps {
		m := dep
		if dep.Replace != nil {
			m = dep.Replace
		}
		id := "SPDXRef-Module-" + spdxIDUnsafe.ReplaceAllString(m.Path+"-"+m.Version, "-")
		doc.Packages = append(doc.Packages, SPDXPackage{
			SPDXID: id, Name: m.Path, VersionInfo: m.Version,
			DownloadLocation: "NOASSERTION", PrimaryPurpose: "LIBRARY",
			ExternalRefs: []SPDXExternalRef{purl(goPURL(m.Path, m.Version))},
		})
		doc.Relationships = append(doc.Relationships, SPDXRelationship{Element: mainID, Type: "DEPENDS_ON", Related: id})
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

func purl(locator string) SPDXExternalRef {
	return SPDXExternalRef{Category: "PACKAGE-MANAGER", Type: "purl", Locator: locator}
}

// goPURL is the package URL of a Go module: pkg:golang/<path>@<version>.
func goPURL(path, version string) string {
	p := "pkg:golang/" + strings.ToLower(path)
	if version != "" {
		p += "@" + url.PathEscape(version)
	}
	return p
}

// ociPURL is the package URL of an image: pkg:oci/<name>@<digest>?repository_url=...&tag=...
func ociPURL(repository string, digest v1.Hash, version string) string {
	name := repository[strings.LastIndex(repository, "/")+1:]
	q := url.Values{}
	q.Set("repository_url", repository)
	if version != "" {
		q.Set("tag", version)
	}
	return "pkg:oci/" + name + "@" + url.QueryEscape(digest.String()) + "?" + q.Encode()
}
