package containers_test

import (
	"fmt"

	"github.com/shipkit-dev/shipkit/test/containers"
)

func ExampleParseFileCommand() {
	outputs, err := containers.ParseFileCommand("result=bumped\npackages<<EOF_1\n[\"a\",\n \"b\"]\nEOF_1\n")
	if err != nil {
		panic(err)
	}
	fmt.Println(outputs["result"])
	fmt.Println(outputs["packages"])
	// Output:
	// bumped
	// ["a",
	//  "b"]
}

func ExampleInputVar() {
	fmt.Println(containers.InputVar("tag-template"))
	// Output: INPUT_TAG-TEMPLATE
}
