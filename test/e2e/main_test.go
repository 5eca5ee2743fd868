package e2e

import (
	"os"
	"testing"

	"github.com/shipkit-dev/shipkit/test/hostrun"
)

// TestMain removes the action binaries hostrun built for this package's tests.
func TestMain(m *testing.M) {
	code := m.Run()
	hostrun.Cleanup()
	os.Exit(code)
}
