// Package openapi holds the subset of GitHub's REST API description that the
// emulator is validated against. SOURCE.md says where it comes from and how to
// regenerate it.
package openapi

import _ "embed"

// Subset is api.github.com.subset.json: the operations of operations.txt and
// the components they reference, as JSON (OpenAPI 3.0.3).
//
//go:embed api.github.com.subset.json
var Subset []byte
