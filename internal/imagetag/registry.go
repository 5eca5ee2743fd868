package imagetag

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// DefaultBackoff bounds the retries of 429 and 5xx answers and dropped connections: four
// attempts, 1 s, 2 s and 4 s apart (with 10% jitter), so a registry that stays down fails the
// step after about 7 s.
var DefaultBackoff = remote.Backoff{Duration: time.Second, Factor: 2, Jitter: 0.1, Steps: 4}

// retryStatus are the answers that are retried.
var retryStatus = []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
	http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}

// Keychain returns the credentials Run uses: username and password (when both are set) for the
// registry host (such as ghcr.io), and Docker's config.json ($DOCKER_CONFIG/config.json or
// ~/.docker/config.json) for every registry.
func Keychain(host, username, password string) authn.Keychain {
	if username == "" || password == "" {
		return authn.DefaultKeychain
	}
	basic := &authn.Basic{Username: username, Password: password}
	return authn.NewMultiKeychain(hostKeychain{host: host, auth: basic}, authn.DefaultKeychain)
}

// hostKeychain gives auth to one registry only, so credentials never reach another.
type hostKeychain struct {
	host string
	auth authn.Authenticator
}

func (k hostKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if strings.EqualFold(r.RegistryStr(), k.host) {
		return k.auth, nil
	}
	return authn.Anonymous, nil
}

// client talks to registries with one set of options: context, credentials, transport and
// bounded retries, reusing one authenticated transport per direction.
type client struct {
	opts []remote.Option
}

func newClient(ctx context.Context, d Deps) (*client, error) {
	backoff := DefaultBackoff
	if d.Backoff != nil {
		backoff = *d.Backoff
	}
	keychain := d.Keychain
	if keychain == nil {
		keychain = authn.DefaultKeychain
	}
	opts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(keychain),
		remote.WithRetryBackoff(backoff),
		remote.WithRetryStatusCodes(retryStatus...),
		remote.WithUserAgent("shipkit-sha-tag-image"),
	}
	if d.Transport != nil {
		opts = append(opts, remote.WithTransport(d.Transport))
	}
	puller, err := remote.NewPuller(opts...)
	if err != nil {
		return nil, fmt.Errorf("setting up the registry client: %w", err)
	}
	pusher, err := remote.NewPusher(opts...)
	if err != nil {
		return nil, fmt.Errorf("setting up the registry client: %w", err)
	}
	return &client{opts: append(opts, remote.Reuse(puller), remote.Reuse(pusher))}, nil
}

// image is the manifest to tag.
type image struct {
	digest    v1.Hash
	mediaType types.MediaType
	taggable  remote.Taggable // what a tag's PUT writes: the manifest's exact bytes
	content   any             // v1.Image or v1.ImageIndex, to copy it to another repository
	from      name.Repository // where a registry source lives; zero for a local one
	remote    bool
}

func (im *image) isIndex() bool { return im.mediaType.IsIndex() }

// resolve finds the image Config names: Digest in the image's repository, or Source. It reads
// one manifest from a registry, none for a local source.
func (c *client) resolve(cfg Config, repo name.Repository) (*image, error) {
	switch {
	case cfg.Digest != "":
		return c.get(repo.Digest(cfg.Digest), "digest")
	case strings.HasPrefix(cfg.Source, OCILayoutPrefix):
		return fromLayout(strings.TrimPrefix(cfg.Source, OCILayoutPrefix))
	case strings.HasPrefix(cfg.Source, DockerArchivePrefix):
		return fromArchive(strings.TrimPrefix(cfg.Source, DockerArchivePrefix))
	}
	ref, err := name.ParseReference(cfg.Source)
	if err != nil {
		return nil, inputErr("source", fmt.Errorf("parsing %q: %w", cfg.Source, err))
	}
	return c.get(ref, "source")
}

// get reads the manifest at ref (one GET).
func (c *client) get(ref name.Reference, input string) (*image, error) {
	desc, err := remote.Get(ref, c.opts...)
	if err != nil {
		if isNotFound(err) {
			return nil, inputErr(input, fmt.Errorf("%s does not exist in the registry: push it first, or check the reference", ref))
		}
		return nil, explain(err, ref.Context().RegistryStr(), "reading "+ref.String())
	}
	im := &image{digest: desc.Digest, mediaType: desc.MediaType, taggable: desc, from: ref.Context(), remote: true}
	if d, ok := ref.(name.Digest); ok && d.DigestStr() != desc.Digest.String() {
		return nil, fmt.Errorf("reading %s: the registry answered with digest %s", ref, desc.Digest)
	}
	if desc.MediaType.IsIndex() {
		im.content, err = desc.ImageIndex()
	} else {
		im.content, err = desc.Image()
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ref, err)
	}
	return im, nil
}

// fromLayout reads an OCI image layout: dir holds one manifest, or dir@sha256:... picks one.
func fromLayout(spec string) (*image, error) {
	dir, want, _ := strings.Cut(spec, "@")
	ii, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, inputErr("source", fmt.Errorf("reading the OCI layout %q: %w", dir, err))
	}
	im, err := ii.IndexManifest()
	if err != nil {
		return nil, inputErr("source", fmt.Errorf("reading %s/index.json: %w", dir, err))
	}
	var picked []v1.Descriptor
	for _, d := range im.Manifests {
		if want == "" || d.Digest.String() == want {
			picked = append(picked, d)
		}
	}
	switch {
	case len(picked) == 0 && want != "":
		return nil, inputErr("source", fmt.Errorf("the OCI layout %q holds no manifest %s", dir, want))
	case len(picked) == 0:
		return nil, inputErr("source", fmt.Errorf("the OCI layout %q holds no manifest", dir))
	case len(picked) > 1:
		return nil, inputErr("source", fmt.Errorf("the OCI layout %q holds %d manifests: pick one with oci-layout:%s@<digest>", dir, len(picked), dir))
	}
	d := picked[0]
	out := &image{digest: d.Digest, mediaType: d.MediaType}
	if d.MediaType.IsIndex() {
		child, err := ii.ImageIndex(d.Digest)
		if err != nil {
			return nil, inputErr("source", fmt.Errorf("reading index %s of %q: %w", d.Digest, dir, err))
		}
		out.taggable, out.content = child, child
	} else {
		img, err := ii.Image(d.Digest)
		if err != nil {
			return nil, inputErr("source", fmt.Errorf("reading image %s of %q: %w", d.Digest, dir, err))
		}
		out.taggable, out.content = img, img
	}
	return out, nil
}

// fromArchive reads the (first) image of a docker save tarball.
func fromArchive(file string) (*image, error) {
	if _, err := os.Stat(file); err != nil {
		return nil, inputErr("source", fmt.Errorf("reading the docker archive: %w", err))
	}
	img, err := tarball.ImageFromPath(file, nil)
	if err != nil {
		return nil, inputErr("source", fmt.Errorf("reading the docker archive %q: %w", file, err))
	}
	d, err := img.Digest()
	if err != nil {
		return nil, inputErr("source", fmt.Errorf("reading the docker archive %q: %w", file, err))
	}
	mt, err := img.MediaType()
	if err != nil {
		return nil, inputErr("source", fmt.Errorf("reading the docker archive %q: %w", file, err))
	}
	return &image{digest: d, mediaType: mt, taggable: img, content: img}, nil
}

// head returns the digest ref points at, or "" when it does not exist (one HEAD).
func (c *client) head(ref name.Reference) (string, error) {
	d, err := remote.Head(ref, c.opts...)
	if err != nil {
		if isNotFound(err) {
			return "", nil
		}
		return "", explain(err, ref.Context().RegistryStr(), "checking "+ref.String())
	}
	return d.Digest.String(), nil
}

// copyTo writes the image and every blob and child manifest it references to dst, skipping
// what is there and mounting blobs from the source repository where the registry allows.
func (c *client) copyTo(im *image, dst name.Digest) error {
	var err error
	switch content := im.content.(type) {
	case v1.ImageIndex:
		err = remote.WriteIndex(dst, content, c.opts...)
	case v1.Image:
		err = remote.Write(dst, content, c.opts...)
	default:
		return fmt.Errorf("copying %s: unsupported manifest type %s", im.digest, im.mediaType)
	}
	if err != nil {
		return explain(err, dst.Context().RegistryStr(), "copying "+im.digest.String()+" to "+dst.Context().String())
	}
	return nil
}

// put writes the manifest under tag (one PUT, no blob).
func (c *client) put(im *image, tag name.Tag) error {
	if err := remote.Put(tag, im.taggable, c.opts...); err != nil {
		return explain(err, tag.Context().RegistryStr(), "writing tag "+tag.String())
	}
	return nil
}

// revision reads the commit the manifest at digest records: the index's or manifest's
// org.opencontainers.image.revision annotation, else the image config's label (for an index,
// of its first platform image). "" means none is recorded.
func (c *client) revision(repo name.Repository, digest string) (string, error) {
	ref := repo.Digest(digest)
	desc, err := remote.Get(ref, c.opts...)
	if err != nil {
		return "", explain(err, repo.RegistryStr(), "reading "+ref.String())
	}
	if desc.MediaType.IsIndex() {
		idx, err := v1.ParseIndexManifest(bytes.NewReader(desc.Manifest))
		if err != nil {
			return "", fmt.Errorf("reading index %s: %w", ref, err)
		}
		if rev := idx.Annotations[LabelRevision]; rev != "" {
			return rev, nil
		}
		for _, m := range idx.Manifests {
			// Attestation manifests (buildx) have platform unknown/unknown and no labels.
			if !m.MediaType.IsImage() || (m.Platform != nil && m.Platform.OS == "unknown") {
				continue
			}
			return c.revision(repo, m.Digest.String())
		}
		return "", nil
	}
	m, err := v1.ParseManifest(bytes.NewReader(desc.Manifest))
	if err != nil {
		return "", fmt.Errorf("reading manifest %s: %w", ref, err)
	}
	if rev := m.Annotations[LabelRevision]; rev != "" {
		return rev, nil
	}
	img, err := desc.Image()
	if err != nil {
		return "", fmt.Errorf("reading image %s: %w", ref, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return "", explain(err, repo.RegistryStr(), "reading the config of "+ref.String())
	}
	return cf.Config.Labels[LabelRevision], nil
}

func isNotFound(err error) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound
}

// explain adds what to change to a registry error: credentials and permissions for 401 and
// 403, the address for a registry that cannot be reached.
func explain(err error, host, what string) error {
	var terr *transport.Error
	if errors.As(err, &terr) {
		switch terr.StatusCode {
		case http.StatusUnauthorized:
			return fmt.Errorf("%s: the registry %s refused the credentials (401): %s: %w", what, host, authHint(host), err)
		case http.StatusForbidden:
			return fmt.Errorf("%s: the registry %s denied access (403): %s: %w", what, host, authHint(host), err)
		}
		if slices.Contains(retryStatus, terr.StatusCode) {
			return fmt.Errorf("%s: the registry %s still answered %d after %d attempts: %w", what, host, terr.StatusCode, DefaultBackoff.Steps, err)
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	var nerr net.Error
	var operr *net.OpError
	if errors.As(err, &operr) || errors.As(err, &nerr) {
		return fmt.Errorf("%s: the registry %s cannot be reached (after retries): %w", what, host, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// authHint says what a registry needs to accept a push.
func authHint(host string) string {
	if host == "ghcr.io" {
		return "give the job `permissions: packages: write`, add this repository to the package's " +
			"\"Manage Actions access\" list with the Write role (package settings), and keep the image name lower case; " +
			"a personal access token needs the write:packages scope"
	}
	return fmt.Sprintf("set the inputs `username` and `password` for %s, or log in so that a Docker config.json "+
		"holds credentials for it (point DOCKER_CONFIG at its folder)", host)
}
