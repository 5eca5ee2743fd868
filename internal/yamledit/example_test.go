package yamledit_test

import (
	"fmt"

	"github.com/shipkit-dev/shipkit/internal/yamledit"
)

func ExampleEditor_Set() {
	src := []byte("images:\n  - name: ghcr.io/acme/app\n    newTag: v1   # set by CD\n\nresources: [../base]\n")
	e, err := yamledit.Parse(src)
	if err != nil {
		panic(err)
	}
	images, _ := yamledit.Lookup(yamledit.Root(e.Documents()[0]), "images")
	tag, _ := yamledit.Lookup(images.Content[0], "newTag")
	if err := e.Set(tag, "sha-0badcafe"); err != nil {
		panic(err)
	}
	out, err := e.Bytes()
	if err != nil {
		panic(err)
	}
	fmt.Print(string(out))
	// Output:
	// images:
	//   - name: ghcr.io/acme/app
	//     newTag: sha-0badcafe   # set by CD
	//
	// resources: [../base]
}
