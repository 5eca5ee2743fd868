#!/usr/bin/env bash
# Regenerates api.github.com.subset.json from GitHub's OpenAPI description as
# packaged on npm by Octokit, keeping only the operations in operations.txt.
# Needs npm, node, openssl, tar and go. Run from anywhere: ./test/ghemu/openapi/update.sh
set -euo pipefail

PACKAGE="@octokit/openapi"
VERSION="23.0.2" # when changing it, update INTEGRITY and SOURCE.md too
# The tarball's integrity as npm records it (npm pack --json prints it).
INTEGRITY="sha512-pV8M7L9GY23AybNvTmo2nyjmpmnt6+2sRE/tqr0ZLQcPS4lnw7u5eZGNmwRNkBC3D7gZXbFx5AHzLUVRBXGDhg=="
FILE="package/generated/api.github.com.json"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# npm pack fetches the package tarball without installing anything.
tarball="$(cd "$tmp" && npm pack --silent "$PACKAGE@$VERSION")"
got="sha512-$(openssl dgst -sha512 -binary "$tmp/$tarball" | base64 -w0)"
if [[ "$got" != "$INTEGRITY" ]]; then
	echo "update.sh: $tarball has integrity $got, want $INTEGRITY" >&2
	exit 1
fi
tar -xzf "$tmp/$tarball" -C "$tmp" "$FILE" package/LICENSE package/package.json

got="$(node -p 'require(process.argv[1]).version' "$tmp/package/package.json")"
if [[ "$got" != "$VERSION" ]]; then
	echo "update.sh: npm gave $PACKAGE $got, want $VERSION" >&2
	exit 1
fi

# SOURCE.md records the licence; a new release must not change it unseen.
if ! head -n 1 "$tmp/package/LICENSE" | grep -q '^MIT License'; then
	echo "update.sh: $PACKAGE $VERSION is no longer under the MIT licence: review package/LICENSE and SOURCE.md" >&2
	exit 1
fi

cd "$root"
go run ./test/ghemu/openapi/extract \
	-in "$tmp/$FILE" \
	-ops "$here/operations.txt" \
	-out "$here/api.github.com.subset.json"
