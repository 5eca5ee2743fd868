package pypigate_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shipkit-dev/shipkit/internal/pypigate"
	"github.com/shipkit-dev/shipkit/test/pypiindex"
)

func TestJSONIndex(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		published []string
		faults    []pypiindex.Fault
		project   string
		version   string
		want      bool
		wantErr   error
		requests  int
	}{
		{name: "published", published: []string{"0.4.0"}, project: "acme-lib", version: "0.4.0", want: true, requests: 1},
		{name: "name spelled otherwise", published: []string{"0.4.0"}, project: "Acme_Lib", version: "0.4.0", want: true, requests: 1},
		{name: "another spelling of the version", published: []string{"1.0rc1"}, project: "acme-lib", version: "1.0.0-rc.1", want: true, requests: 2},
		{name: "same version by value", published: []string{"1.0.0.0"}, project: "acme-lib", version: "1.0.0", want: true, requests: 2},
		{name: "other version", published: []string{"0.3.0"}, project: "acme-lib", version: "0.4.0", requests: 2},
		{name: "new project", project: "acme-new", version: "0.1.0", requests: 2},
		{name: "503 then an answer", published: []string{"0.4.0"}, faults: []pypiindex.Fault{{Status: 503, Times: 1}}, project: "acme-lib", version: "0.4.0", want: true, requests: 2},
		{name: "down", faults: []pypiindex.Fault{{Status: 502}}, project: "acme-lib", version: "0.4.0", wantErr: pypigate.ErrIndexUnavailable, requests: 3},
		{name: "too slow", faults: []pypiindex.Fault{{Delay: 2 * time.Second}}, project: "acme-lib", version: "0.4.0", wantErr: pypigate.ErrIndexUnavailable, requests: 3},
		{name: "refused", faults: []pypiindex.Fault{{Status: 403}}, project: "acme-lib", version: "0.4.0", wantErr: errors.New("unexpected 403"), requests: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := pypiindex.Start()
			t.Cleanup(srv.Close)
			srv.Publish("acme-lib", tt.published...)
			for _, f := range tt.faults {
				srv.InjectFault(f)
			}
			idx := &pypigate.JSONIndex{URL: srv.URL(), Client: &http.Client{Timeout: 200 * time.Millisecond}, Backoff: time.Millisecond}
			got, err := idx.Published(t.Context(), tt.project, tt.version)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Published(%s, %s) error = %v", tt.project, tt.version, err)
			case tt.wantErr != nil && err == nil:
				t.Fatalf("Published(%s, %s) = %v, want error %v", tt.project, tt.version, got, tt.wantErr)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr) && !strings.Contains(err.Error(), tt.wantErr.Error()):
				t.Fatalf("Published(%s, %s) error = %v, want %v", tt.project, tt.version, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Published(%s, %s) = %v, want %v", tt.project, tt.version, got, tt.want)
			}
			if idx.Requests != tt.requests {
				t.Errorf("Published(%s, %s) made %d requests, want %d", tt.project, tt.version, idx.Requests, tt.requests)
			}
		})
	}
}
