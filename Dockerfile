# The image of one shipkit action: a static Go binary on scratch, nothing else.
#
# The binary is built on the host, not in a build stage, so the recipe needs no base image:
#
#   CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
#     go build -trimpath -ldflags='-s -w -buildid=' -o dist/linux_amd64/<action> ./actions/<action>
#   install -d -m 1777 dist/rootfs/tmp
#   podman build --timestamp 0 --build-arg ACTION=<action> \
#     --build-arg REVISION=$(git rev-parse HEAD) --build-arg VERSION=vX.Y.Z -t <image> .
#
# Same binary, same arguments, same digest: --timestamp 0 (or SOURCE_DATE_EPOCH) fixes the dates.
# GitHub runs container actions as root with their own --workdir and --entrypoint rules: no USER,
# no WORKDIR here. CA roots are embedded in the binary (golang.org/x/crypto/x509roots/fallback).
FROM scratch

ARG ACTION
ARG TARGETOS=linux
ARG TARGETARCH=amd64
ARG SOURCE=https://github.com/shipkit-dev/shipkit
ARG REVISION=unknown
ARG VERSION=dev

LABEL org.opencontainers.image.title="shipkit ${ACTION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.version="${VERSION}"

# An empty /tmp of mode 1777 for os.TempDir. COPY creates missing destination folders with mode
# 0755, so the folder comes from the context with its mode.
COPY dist/rootfs/ /
COPY --chmod=0755 dist/${TARGETOS}_${TARGETARCH}/${ACTION} /shipkit-action

ENTRYPOINT ["/shipkit-action"]
