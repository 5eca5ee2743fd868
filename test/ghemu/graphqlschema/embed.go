// Package graphqlschema holds GitHub's public GraphQL schema, against which the
// emulator validates every GraphQL request. SOURCE.md says where it comes from
// and how to regenerate it.
package graphqlschema

import _ "embed"

// Schema is schema.graphql: GitHub's GraphQL schema in SDL, as published.
//
//go:embed schema.graphql
var Schema string

// Version is the version of the npm package @octokit/graphql-schema that
// schema.graphql comes from.
const Version = "15.26.1"
