package promote

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// OCIRegistry implements Registry with go-containerregistry: one HEAD request for the manifest
// (after the registry's token exchange, when it asks for one). Loopback registries are spoken
// to over plain HTTP, as go-containerregistry does for localhost.
type OCIRegistry struct {
	Keychain  authn.Keychain    // nil means Docker's config.json
	Transport http.RoundTripper // nil means remote's default
}

// Digest implements Registry.
func (r *OCIRegistry) Digest(ctx context.Context, image, tag string) (string, error) {
	ref, err := name.NewTag(image + ":" + tag)
	if err != nil {
		return "", fmt.Errorf("parsing %q: %w", image+":"+tag, err)
	}
	kc := r.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(kc), remote.WithUserAgent("shipkit-promote-pr")}
	if r.Transport != nil {
		opts = append(opts, remote.WithTransport(r.Transport))
	}
	desc, err := remote.Head(ref, opts...)
	if err != nil {
		var te *transport.Error
		if errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
			return "", fmt.Errorf("the tag %q does not exist in %s", tag, ref.Context())
		}
		return "", err
	}
	return desc.Digest.String(), nil
}
